#!/usr/bin/env node
/**
 * Finds a Chromium (or Chrome) executable for the HTML-report browser test, wherever it is:
 * $CHROMIUM_PATH, then chromium / chromium-browser / google-chrome(-stable) on $PATH and their
 * usual absolute places (Linux, snap, macOS), then Playwright's browser cache
 * ($PLAYWRIGHT_BROWSERS_PATH, else ~/.cache/ms-playwright or ~/Library/Caches/ms-playwright).
 * Throws one error listing every place it looked. Run directly, it prints the path (exit 0) or
 * the error (exit 1): scripts/setup uses it to decide whether to install a browser.
 */
import { accessSync, constants, existsSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];
const FIXED = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/snap/bin/chromium',
  '/usr/bin/google-chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];
/** Executables inside one Playwright browser folder (chromium-<rev>/, chromium_headless_shell-<rev>/). */
const PLAYWRIGHT_EXECUTABLES = [
  'chrome-linux/chrome',
  'chrome-linux64/chrome',
  'chrome-mac/Chromium.app/Contents/MacOS/Chromium',
  'chrome-mac-arm64/Chromium.app/Contents/MacOS/Chromium',
  'chrome-linux/headless_shell',
  'chrome-headless-shell-linux64/chrome-headless-shell',
];

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function playwrightCaches(env, home) {
  if (env.PLAYWRIGHT_BROWSERS_PATH) return [env.PLAYWRIGHT_BROWSERS_PATH];
  return [join(home, '.cache', 'ms-playwright'), join(home, 'Library', 'Caches', 'ms-playwright')];
}

/**
 * @param {{ env?: NodeJS.ProcessEnv, home?: string, fixed?: string[] }} [options]
 * @returns {string} the executable's path
 */
export function findChromium(options = {}) {
  const env = options.env ?? process.env;
  const home = options.home ?? homedir();
  const looked = [];
  if (env.CHROMIUM_PATH) {
    if (executable(env.CHROMIUM_PATH)) return env.CHROMIUM_PATH;
    throw new Error(`CHROMIUM_PATH is ${env.CHROMIUM_PATH}, which is not an executable file`);
  }
  looked.push('$CHROMIUM_PATH (not set)');
  const pathDirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const dir of pathDirs) {
    for (const name of NAMES) if (executable(join(dir, name))) return join(dir, name);
  }
  looked.push(`${NAMES.join(', ')} on $PATH`);
  for (const path of options.fixed ?? FIXED) if (executable(path)) return path;
  looked.push(...(options.fixed ?? FIXED));
  for (const cache of playwrightCaches(env, home)) {
    const dirs = existsSync(cache) ? readdirSync(cache).filter((name) => /^chromium(_headless_shell)?-\d+$/.test(name)) : [];
    // Newest revision first; a full chromium before a headless shell of the same revision.
    dirs.sort((a, b) => Number(b.split('-').pop()) - Number(a.split('-').pop()) || a.length - b.length);
    for (const dir of dirs) {
      for (const rel of PLAYWRIGHT_EXECUTABLES) if (executable(join(cache, dir, rel))) return join(cache, dir, rel);
    }
    looked.push(`Playwright's cache ${cache}`);
  }
  throw new Error(
    `no Chromium or Chrome found; looked at ${looked.join('; ')}. ` +
      'Install one (Debian: `apt-get install chromium`; elsewhere `npx playwright-core install chromium`, or `npm run setup` in fnd), ' +
      'or set CHROMIUM_PATH to its executable.',
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    process.stdout.write(`${findChromium()}\n`);
  } catch (error) {
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 1;
  }
}
