/**
 * A clock that moves only when a test says so. Timers fire in due order, and the
 * promise callbacks they start run before the next one fires, so code that waits
 * through the clock behaves as with real time, minus the waiting.
 */
import type { Clock, TimerHandle } from '../../src/upstream/clock.js';

interface Timer {
  readonly id: number;
  readonly at: number;
  readonly callback: () => void;
}

/** Lets every pending promise callback (and what it schedules) run. */
export async function flushPromises(): Promise<void> {
  for (let turn = 0; turn < 20; turn += 1) await new Promise<void>((resolve) => setImmediate(resolve));
}

export class FakeClock implements Clock {
  private time: number;
  private nextId = 1;
  private timers: Timer[] = [];

  constructor(start = 1_700_000_000_000) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer = { id: this.nextId++, at: this.time + Math.max(0, ms), callback };
    this.timers.push(timer);
    return timer.id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers = this.timers.filter((timer) => timer.id !== handle);
  }

  /** Timers not yet fired. */
  get pending(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing each timer due on the way at its own time. */
  async advance(ms: number): Promise<void> {
    const until = this.time + ms;
    await flushPromises();
    for (;;) {
      const due = this.timers.filter((timer) => timer.at <= until).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (due === undefined) break;
      this.timers = this.timers.filter((timer) => timer !== due);
      this.time = Math.max(this.time, due.at);
      due.callback();
      await flushPromises();
    }
    this.time = until;
    await flushPromises();
  }

  /** Fires timers, in order, until none is left (or `limitMs` has passed). */
  async runAll(limitMs = 3_600_000): Promise<void> {
    const until = this.time + limitMs;
    while (this.timers.length > 0) {
      const next = Math.min(...this.timers.map((timer) => timer.at));
      if (next > until) break;
      await this.advance(next - this.time);
    }
  }
}
