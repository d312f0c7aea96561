/**
 * `npm run screenshots`: regenerates the README's pictures from the web flavour in Chromium,
 * against a fresh server. Each area is captured in light mode at a laptop-sized window.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../playwright.config.ts';
import { generateCatalog } from '../../e2e/support/catalog-gen.ts';
import { seedShop } from '../../e2e/support/seed.ts';
import { startFakeOpenAI } from '../../sync-server/src/test-support/fake-openai/fake-openai.ts';
import { REPO_ROOT, startServerProcess } from './server-process.ts';

export interface Shot {
  readonly name: string;
  readonly path: string;
  /** Optional preparation (seed data, clicks) before the capture. */
  readonly prepare?: (page: Page, serverUrl: string) => Promise<void>;
  /** Captured in a browser of its own (its sign-in must not carry over to the next pictures). */
  readonly ownBrowser?: boolean;
}

/** The answer the fake AI upstream streams for the chat picture: Markdown with a code block. */
const CHAT_ANSWER = [
  'Wrap the function so that it runs only after the calls **stop** for a while:',
  '',
  '```ts',
  'export function debounce<A extends unknown[]>(run: (...args: A) => void, waitMs: number) {',
  '  let timer: ReturnType<typeof setTimeout> | undefined;',
  '  return (...args: A) => {',
  '    clearTimeout(timer);',
  '    timer = setTimeout(() => run(...args), waitMs);',
  '  };',
  '}',
  '```',
  '',
  '- Use it for search boxes and resize handlers.',
  '- Keep the returned function: a new one per render starts over.',
].join('\n');

/** Signs up the first account (the owner), then asks the assistant one question and waits for the streamed answer. */
async function chatWithAnswer(page: Page, serverUrl: string): Promise<void> {
  await page.goto(new URL('/account', serverUrl).toString());
  await page.locator('label').filter({ hasText: /^Create account$/ }).click();
  await page.getByLabel('Email').fill('ada@example.com');
  await page.locator('input[autocomplete="new-password"]').fill('correct horse battery staple');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByTestId('profile-name').waitFor({ timeout: 30_000 });
  await page.getByRole('navigation', { name: 'Areas' }).getByRole('link', { name: 'Chat' }).click();
  await page.getByRole('button', { name: 'New conversation' }).first().click();
  const picker = page.getByRole('combobox', { name: 'Model' });
  await picker.click({ timeout: 30_000 });
  await page.getByRole('option', { name: /^GPT-4o mini ·/ }).click();
  const composer = page.getByRole('textbox', { name: 'Message' });
  await composer.fill('How do I debounce a function in TypeScript?');
  await composer.press('Enter');
  await page.locator('[data-testid="chat-message"][data-role="assistant"][data-status="complete"]').waitFor({ timeout: 60_000 });
  await page.getByTestId('spend-today-spent').filter({ hasNotText: '$0.00 spent' }).waitFor({ timeout: 30_000 });
}

/**
 * Runs after the chat picture (Ada is signed in by then): she opens a multiple-choice market and
 * trades on it twice, so the picture shows the chart, the ticket's preview and the trade history.
 */
async function marketWithTrades(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Areas' }).getByRole('link', { name: 'Markets' }).click();
  await page.getByRole('navigation', { name: 'Markets sections' }).getByRole('link', { name: 'New market' }).click();
  await page.locator('label').filter({ hasText: /^Multiple choice$/ }).click();
  await page.getByRole('textbox', { name: 'Question' }).fill('Which feature ships first in the spring release?');
  await page.getByRole('textbox', { name: 'Option 1', exact: true }).fill('Offline search');
  await page.getByRole('textbox', { name: 'Option 2', exact: true }).fill('Dark mode charts');
  await page.getByRole('button', { name: 'Add option' }).click();
  await page.getByRole('textbox', { name: 'Option 3', exact: true }).fill('Chess puzzles');
  await page.getByRole('button', { name: 'Create market' }).click();
  await page.getByTestId('market-status').and(page.locator('[data-status="open"]')).waitFor({ timeout: 60_000 });
  for (const [option, amount, done] of [['Offline search', '40', 1], ['Chess puzzles', '15', 2]] as const) {
    await page.getByRole('radio', { name: option }).check();
    await page.getByRole('textbox', { name: 'Amount to spend (points)' }).fill(amount);
    await page.getByRole('button', { name: new RegExp(`^Buy ${option} for`) }).click();
    await page.getByTestId('trade-row').nth(done - 1).waitFor({ timeout: 60_000 });
  }
  await page.getByRole('textbox', { name: 'Amount to spend (points)' }).fill('20');
  await page.getByTestId('probability-chart').and(page.locator('[data-points="3"]')).waitFor({ timeout: 60_000 });
  // The "Order sent" toasts close by themselves after a few seconds.
  await page.waitForFunction(() => document.querySelectorAll('[aria-label="Dismiss notification"]').length === 0, null, { timeout: 30_000 });
  await page.evaluate(() => window.scrollTo(0, 0));
}

/** A guest browsing a seeded catalog (the products are seeded before any picture is taken). */
async function shopAsGuest(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Areas' }).getByRole('link', { name: 'Account' }).click();
  await page.getByRole('button', { name: 'Continue as guest' }).click();
  await page.getByTestId('profile-name').waitFor({ timeout: 30_000 });
  await page.getByRole('navigation', { name: 'Areas' }).getByRole('link', { name: 'Shop' }).click();
  await page.getByTestId('product-list').getByRole('listitem').first().waitFor({ timeout: 60_000 });
}

const SHOTS: readonly Shot[] = [
  { name: 'shop', path: '/shop', prepare: shopAsGuest, ownBrowser: true },
  { name: 'chess', path: '/chess' },
  // It signs up; the pictures before it show the app as a first visitor sees it.
  { name: 'chat', path: '/chat', prepare: chatWithAnswer },
  { name: 'markets', path: '/markets', prepare: marketWithTrades },
];

const outputDir = path.join(REPO_ROOT, 'build/screenshots');
mkdirSync(outputDir, { recursive: true });
const fake = await startFakeOpenAI({ answer: () => CHAT_ANSWER, defaults: { chunkDelayMs: 10 } });
const server = await startServerProcess({ env: { PLAZA_LLM_UPSTREAM_URL: fake.baseURL, PLAZA_LLM_API_KEY: fake.apiKey } });
const catalog = generateCatalog(60);
await seedShop(server, { products: catalog, stock: new Map(catalog.map((product, index) => [product.id, 3 + (index % 7)])) });
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
try {
  const newPage = async () => (await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light', deviceScaleFactor: 1 })).newPage();
  const shared = await newPage();
  for (const shot of SHOTS) {
    const page = shot.ownBrowser ? await newPage() : shared;
    await page.goto(new URL(shot.path, server.url).toString());
    await page.getByRole('heading', { name: 'Plaza', level: 1 }).waitFor();
    await shot.prepare?.(page, server.url);
    await page.waitForTimeout(300);
    const file = path.join(outputDir, `${shot.name}.png`);
    await page.screenshot({ path: file });
    console.log(`wrote ${path.relative(REPO_ROOT, file)}`);
    if (page !== shared) await page.context().close();
  }
} finally {
  await browser.close();
  await server.stop();
  await fake.close();
}
