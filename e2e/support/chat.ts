/**
 * Chat E2E support: a fake OpenAI upstream started in the test process, a real server pointed at
 * it, and page helpers for accounts and the chat screens.
 */
import type { Page } from '@playwright/test';
import { startServerProcess, type ServerProcess } from '../../build/scripts/server-process.ts';
import { startFakeOpenAI, type FakeOpenAI, type FakeOpenAIOptions } from '../../sync-server/src/test-support/fake-openai/fake-openai.ts';
import { expect as baseExpect, test as base } from './fixtures.ts';

export interface ChatFixtures {
  /** The fake OpenAI-compatible upstream the server's AI proxy calls. */
  fake: FakeOpenAI;
  fakeOptions: FakeOpenAIOptions;
  serverEnv: Record<string, string>;
}

export const test = base.extend<ChatFixtures>({
  fakeOptions: [{}, { option: true }],
  serverEnv: [{}, { option: true }],
  fake: async ({ fakeOptions }, use) => {
    const fake = await startFakeOpenAI(fakeOptions);
    await use(fake);
    await fake.close();
  },
  server: async ({ fake, serverEnv }, use) => {
    // A generous start: on a shared 2-core machine under a load of 50 a cold start took over 60 s.
    const server: ServerProcess = await startServerProcess({ startTimeoutMs: 120_000, env: { PLAZA_LLM_UPSTREAM_URL: fake.baseURL, PLAZA_LLM_API_KEY: fake.apiKey, ...serverEnv } });
    await use(server);
    await server.stop();
  },
});

/**
 * Polling assertions with a longer deadline: registration hashes a password, the cap's worker
 * loads a tokenizer, answers stream, the inbox syncs, the dashboard loads its charts; on a shared
 * 2-core machine under a load of 30 to 50, each has been seen to take more than 30 s.
 */
export const expect = baseExpect.configure({ timeout: 60_000 });

/** Registers from the account page; the first account of a fresh server becomes its owner. */
export async function register(page: Page, server: ServerProcess, email: string, password = 'correct horse battery staple'): Promise<void> {
  await page.goto(new URL('/account', server.url).toString());
  await page.locator('label').filter({ hasText: /^Create account$/ }).click();
  await page.getByLabel('Email').fill(email);
  await page.locator('input[autocomplete="new-password"]').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByTestId('profile-name')).toBeVisible();
}

export async function openChat(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Areas' }).getByRole('link', { name: 'Chat' }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'Chat' })).toBeVisible();
}

/** Starts a conversation from the empty state or the list, and waits for its composer. */
export async function newConversation(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'New conversation' }).first().click();
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeEnabled();
}

/** Picks a model in the picker by its label (`GPT-4o`). */
export async function pickModel(page: Page, label: string): Promise<void> {
  const picker = page.getByRole('combobox', { name: 'Model' });
  const option = new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} ·`);
  await expect(picker).toBeEnabled();
  await picker.click();
  await page.getByRole('option', { name: option }).click();
  await expect(picker).toHaveValue(option);
}

/** Types a message and sends it with Enter (a real key press: human input). */
export async function sendMessage(page: Page, text: string): Promise<void> {
  const composer = page.getByRole('textbox', { name: 'Message' });
  await composer.fill(text);
  await composer.press('Enter');
}

export const messages = (page: Page) => page.getByTestId('chat-message');
