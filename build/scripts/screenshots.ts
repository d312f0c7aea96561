/**
 * `npm run screenshots`: regenerates the README's pictures from the web flavour in Chromium,
 * against a fresh server. Each area is captured in light mode at a laptop-sized window.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../playwright.config.ts';
import { REPO_ROOT, startServerProcess } from './server-process.ts';

export interface Shot {
  readonly name: string;
  readonly path: string;
  /** Optional preparation (seed data, clicks) before the capture. */
  readonly prepare?: (page: Page, serverUrl: string) => Promise<void>;
}

const SHOTS: readonly Shot[] = [
  { name: 'shop', path: '/shop' },
  { name: 'chat', path: '/chat' },
  { name: 'chess', path: '/chess' },
  { name: 'markets', path: '/markets' },
];

const outputDir = path.join(REPO_ROOT, 'build/screenshots');
mkdirSync(outputDir, { recursive: true });
const server = await startServerProcess();
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light', deviceScaleFactor: 1 });
  const page = await context.newPage();
  for (const shot of SHOTS) {
    await page.goto(new URL(shot.path, server.url).toString());
    await page.getByRole('heading', { name: 'Plaza', level: 1 }).waitFor();
    await shot.prepare?.(page, server.url);
    await page.waitForTimeout(300);
    const file = path.join(outputDir, `${shot.name}.png`);
    await page.screenshot({ path: file });
    console.log(`wrote ${path.relative(REPO_ROOT, file)}`);
  }
} finally {
  await browser.close();
  await server.stop();
}
