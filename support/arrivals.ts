/**
 * Arrival counting over the emulator's call log: `receivedAt` is the provider's clock, the one
 * its quota is counted by, so a budget is checked here rather than where calls were granted.
 */

/** The most calls whose arrivals fall into any one-second window [t, t + 1000). */
export function busiestWindow(times: readonly number[], windowMs = 1000): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end += 1) {
    while (sorted[end]! - sorted[start]! >= windowMs) start += 1;
    most = Math.max(most, end - start + 1);
  }
  return most;
}
