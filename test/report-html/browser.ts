/** Opens a report in a headless Chromium found on this machine (playwright-core), collecting console errors and requests. */
import { chromium } from 'playwright-core';
import { pathToFileURL } from 'node:url';
import { findChromium } from '../../scripts/find-chromium.mjs';

// The page function runs in the browser; the repo's tsconfig has no DOM types, so its globals are typed loosely here.
declare const document: { querySelectorAll(selector: string): ArrayLike<any> & Iterable<any>; documentElement: { scrollWidth: number } };

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export interface PageCheck {
  svgCount: number;
  /** SVGs that laid out with a non-zero size. */
  visibleSvgs: number;
  consoleErrors: string[];
  /** Every URL the page asked for other than itself. */
  requests: string[];
  headings: string[];
  /** The document's scroll width at a 1280 px viewport: 1280 when nothing runs off the page. */
  pageWidth: number;
  /** The text of every table cell, row by row, per table. */
  tables: string[][][];
}

export async function openReport(file: string, screenshot: string): Promise<PageCheck> {
  // Throws one error listing every place it looked when there is none (no skipping).
  const browser = await chromium.launch({ executablePath: findChromium(), args: ARGS, headless: true });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const consoleErrors: string[] = [];
    const requests: string[] = [];
    const url = pathToFileURL(file).href;
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
    page.on('request', (request) => {
      if (request.url() !== url) requests.push(request.url());
    });
    await page.goto(url, { waitUntil: 'load' });
    const result = await page.evaluate(() => {
      const svgs: any[] = [...document.querySelectorAll('svg')];
      return {
        svgCount: svgs.length,
        visibleSvgs: svgs.filter((svg) => svg.getBoundingClientRect().width > 50 && svg.getBoundingClientRect().height > 50).length,
        headings: [...document.querySelectorAll('h2')].map((h: any) => String(h.textContent ?? '')),
        pageWidth: document.documentElement.scrollWidth,
        tables: [...document.querySelectorAll('table')].map((table: any) =>
          [...table.querySelectorAll('tr')].map((tr: any) => [...tr.querySelectorAll('th, td')].map((cell: any) => String(cell.textContent ?? ''))),
        ),
      };
    });
    await page.screenshot({ path: screenshot, fullPage: true });
    return { ...result, consoleErrors, requests };
  } finally {
    await browser.close();
  }
}
