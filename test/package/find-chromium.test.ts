import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findChromium } from '../../scripts/find-chromium.mjs';

const scratch = mkdtempSync(join(tmpdir(), 'fnd-chromium-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function fakeExecutable(path: string): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, '#!/bin/sh\n');
  chmodSync(path, 0o755);
  return path;
}

describe('findChromium (the browser test runs wherever a Chromium is)', () => {
  const home = join(scratch, 'home');
  const none = { PATH: join(scratch, 'empty-bin') };

  it('prefers CHROMIUM_PATH, and names it when it is not an executable', () => {
    const custom = fakeExecutable(join(scratch, 'custom', 'my-chrome'));
    expect(findChromium({ env: { ...none, CHROMIUM_PATH: custom }, home, fixed: [] })).toBe(custom);
    expect(() => findChromium({ env: { CHROMIUM_PATH: join(scratch, 'missing') }, home, fixed: [] })).toThrow(
      `CHROMIUM_PATH is ${join(scratch, 'missing')}, which is not an executable file`,
    );
  });

  it('finds chromium-browser or google-chrome on PATH', () => {
    const bin = join(scratch, 'bin');
    const chrome = fakeExecutable(join(bin, 'google-chrome'));
    expect(findChromium({ env: { PATH: bin }, home, fixed: [] })).toBe(chrome);
    const chromiumBrowser = fakeExecutable(join(bin, 'chromium-browser'));
    expect(findChromium({ env: { PATH: bin }, home, fixed: [] })).toBe(chromiumBrowser);
  });

  it("finds the newest Chromium in Playwright's cache (PLAYWRIGHT_BROWSERS_PATH or ~/.cache/ms-playwright)", () => {
    const cache = join(scratch, 'pw');
    fakeExecutable(join(cache, 'chromium-1100', 'chrome-linux', 'chrome'));
    const newest = fakeExecutable(join(cache, 'chromium-1200', 'chrome-linux64', 'chrome'));
    expect(findChromium({ env: { ...none, PLAYWRIGHT_BROWSERS_PATH: cache }, home, fixed: [] })).toBe(newest);
    const inHome = fakeExecutable(join(home, '.cache', 'ms-playwright', 'chromium_headless_shell-1300', 'chrome-linux', 'headless_shell'));
    expect(findChromium({ env: none, home, fixed: [] })).toBe(inHome);
  });

  it('fails with one message listing every place it looked', () => {
    const fixed = [join(scratch, 'usr', 'bin', 'chromium')];
    const emptyHome = join(scratch, 'empty-home');
    let message = '';
    try {
      findChromium({ env: none, home: emptyHome, fixed });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('no Chromium or Chrome found');
    expect(message).toContain('$CHROMIUM_PATH (not set)');
    expect(message).toContain('chromium, chromium-browser, google-chrome, google-chrome-stable on $PATH');
    expect(message).toContain(fixed[0]);
    expect(message).toContain(join(emptyHome, '.cache', 'ms-playwright'));
    expect(message).toContain('set CHROMIUM_PATH');
  });
});
