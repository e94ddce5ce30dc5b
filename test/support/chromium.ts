/**
 * Debian's Chromium, driven by puppeteer-core: no browser is downloaded at install time or
 * at run time. .ci/run installs the `chromium` package when it is missing; a test that
 * cannot find it fails and says so, rather than skipping and passing.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import puppeteer, { type Browser } from 'puppeteer-core';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

export function chromiumPath(): string {
  for (const candidate of CANDIDATES) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Next candidate.
    }
  }
  try {
    const found = execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], {
      encoding: 'utf8',
    }).trim();
    if (found) return found;
  } catch {
    // Reported below.
  }
  throw new Error(
    "Chromium not found (looked for /usr/bin/chromium and chromium on PATH): install Debian's package with `apt-get install -y chromium` (.ci/run does)",
  );
}

export function launchChromium(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    // Tests run as root, where Chromium's sandbox cannot start; /dev/shm is small in containers.
    args: [
      '--no-sandbox',
      '--headless=new',
      '--disable-dev-shm-usage',
      '--disable-gpu',
      '--no-first-run',
      '--no-default-browser-check',
    ],
    defaultViewport: { width: 1720, height: 900, deviceScaleFactor: 1 },
  });
}
