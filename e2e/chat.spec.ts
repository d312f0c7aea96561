/**
 * The Chat area against a real server whose AI proxy calls a fake OpenAI upstream (started in this
 * process): streamed Markdown answers without HTML, the stop button, the spend meter, a refusal
 * that names the budget and its reset (from the server, then from this device's own cap), a session
 * paused by an overrun and resumed, the admin dashboard and kill switch, the operator console
 * (spend by community, the global kill switch, the numbers /metrics exports), guests told to create
 * an account, offline reading. axe on every chat screen.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { formatSpend } from '../renderer/src/areas/chat/prompt.ts';
import { expectAccessible } from './support/fixtures.ts';
import { expect, messages, newConversation, openChat, pickModel, register, sendMessage, test } from './support/chat.ts';

const MARKDOWN_ANSWER = [
  'Here is **bold** advice and a list:',
  '',
  '- first',
  '- second',
  '',
  '```ts',
  'const answer: number = 42;',
  '```',
  '',
  'And some raw HTML: <script>window.__plazaPwned = true</script> <img src=x onerror="window.__plazaPwned = true">',
].join('\n');

/**
 * The first message of a page waits for the cap's worker to load its tokenizer (the check runs
 * before anything is sent): seconds on a quiet machine, tens of seconds on a busy one.
 */
const FIRST_CALL = { timeout: 90_000 };

const LONG_ANSWER = Array.from({ length: 120 }, (_, index) => `word${index}`).join(' ');

test.describe('AI chat', () => {
  // 1–2 minutes each on a quiet machine; on a shared 2-core one under a load of 30 to 50 every click
  // takes seconds and a test has taken more than 5 minutes.
  test.describe.configure({ timeout: 480_000 });

  test('a member picks a model, gets a streamed Markdown answer (no HTML), stops a slow one, and sees the meter move', async ({ page, server, fake, consoleErrors }) => {
    await register(page, server, 'owner@example.com');
    await openChat(page);
    await expect(page.getByTestId('chat-empty')).toBeVisible();
    await expectAccessible(page, 'chat, no conversation');
    await newConversation(page);
    await pickModel(page, 'GPT-4o');
    // The picker shows each model's prices per million tokens.
    await expect(page.getByRole('combobox', { name: 'Model' })).toHaveValue('GPT-4o · $2.50 in · $10.00 out');
    await expect(page.getByText('Prices per million tokens')).toBeVisible();
    await expect(page.getByTestId('spend-empty')).toBeVisible();

    fake.setScript([{ text: MARKDOWN_ANSWER, chunkDelayMs: 15 }, { text: LONG_ANSWER, holdAfterChunks: 12 }]);
    await sendMessage(page, 'Give me a code sample please');
    await expect(page.getByTestId('chat-streaming')).toBeVisible();
    const answer = messages(page).and(page.locator('[data-role="assistant"]')).first();
    await expect(answer).toHaveAttribute('data-status', 'complete', FIRST_CALL);
    await expect(page.getByTestId('chat-streaming')).toHaveCount(0);
    // Markdown rendered: bold, a list and a code block with its copy button.
    await expect(answer.locator('strong')).toHaveText('bold');
    await expect(answer.getByRole('listitem')).toHaveCount(2);
    await expect(answer.getByTestId('code-block')).toContainText('const answer: number = 42;');
    await expect(answer.getByRole('button', { name: 'Copy code' })).toBeVisible();
    // Raw HTML in model output stays text: no element is made of it, nothing runs.
    await expect(answer).toContainText('<script>window.__plazaPwned = true</script>');
    await expect(answer.locator('script, img')).toHaveCount(0);
    expect(await page.evaluate(() => (window as unknown as { __plazaPwned?: boolean }).__plazaPwned)).toBeUndefined();
    // The prompt carried the human-input flag and the session; the model was the one picked.
    expect(fake.requests[0]?.body).toMatchObject({ model: 'gpt-4o', stream: true });
    // The thread took its title from the first message.
    await expect(page.getByTestId('thread-title')).toHaveText('Give me a code sample please');
    // The spend meter moved (the server wrote it into the inbox room).
    await expect(page.getByTestId('spend-today-spent')).not.toHaveText('$0.00 spent');
    await expect(page.getByTestId('spend-session-spent')).not.toHaveText('$0.00 spent');
    const spentAfterFirst = await page.getByTestId('spend-today-spent').textContent();
    await expectAccessible(page, 'chat with an answer');

    // A slow answer: stop it halfway. What arrived is kept and marked stopped.
    await sendMessage(page, 'Now tell me a very long story');
    await expect(page.getByTestId('chat-streaming')).toContainText('word5');
    await expect(page.getByRole('button', { name: 'Send' })).toHaveCount(0);
    await page.getByRole('button', { name: 'Stop' }).click();
    const stopped = messages(page).and(page.locator('[data-status="stopped"]'));
    await expect(stopped).toHaveCount(1);
    await expect(stopped).toContainText('word5');
    await expect(stopped).not.toContainText('word119');
    await expect(stopped.getByText('Stopped', { exact: true })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Send' })).toBeVisible();
    // A stopped call is still charged (exactly when the proxy could drain it, else its reservation).
    fake.release();
    await expect(page.getByTestId('spend-today-spent')).not.toHaveText(spentAfterFirst ?? '');

    // Offline: the conversation stays readable; sending is disabled and says why.
    await page.context().setOffline(true);
    await expect(page.getByTestId('sync-status')).toHaveAttribute('data-state', 'offline');
    await expect(page.getByTestId('chat-offline')).toBeVisible();
    await expect(messages(page)).toHaveCount(4);
    await expect(page.getByRole('textbox', { name: 'Message' })).toBeDisabled();
    await expect(page.getByTestId('composer-reason')).toContainText('You are offline');
    await expectAccessible(page, 'chat offline');
    await page.context().setOffline(false);
    expect(consoleErrors).toEqual([]);
  });

  test('with a tiny budget a message is refused, naming the budget and its reset; the next one is stopped on this device', async ({ page, server, fake, consoleErrors }) => {
    await register(page, server, 'admin@example.com');
    await openChat(page);
    // The owner sets a tiny daily budget per person on the dashboard.
    await page.getByRole('link', { name: 'Spend and budgets' }).click();
    // The dashboard (and its charts library) loads on demand: slow on a busy machine.
    await expect(page.getByTestId('llm-admin')).toBeVisible();
    const daily = page.getByLabel('Per person per day');
    await expect(daily).toBeEnabled();
    await daily.fill('0.0001');
    await page.getByRole('button', { name: 'Save budgets' }).click();
    await expect(page.getByText('Budgets saved.')).toBeVisible();
    await expectAccessible(page, 'chat admin dashboard');

    await page.getByRole('link', { name: 'Conversations' }).click();
    await newConversation(page);
    await pickModel(page, 'GPT-4o');
    await sendMessage(page, 'Is this affordable?');
    const problem = page.getByTestId('chat-problem');
    await expect(problem).toBeVisible(FIRST_CALL);
    await expect(problem).toHaveAttribute('data-kind', 'budget');
    await expect(problem).toContainText('AI budget reached.');
    await expect(problem).toContainText(/Not enough left in your daily budget \(\$0\.0001 a day\)/);
    await expect(problem).toContainText(/It resets at \d{4}-\d{2}-\d{2} 00:00 UTC\. That is in /);
    await expect(messages(page).and(page.locator('[data-status="refused"]'))).toHaveCount(1);
    expect(fake.requests).toHaveLength(0);
    await expectAccessible(page, 'chat with a refusal');

    // Once the inbox reports the budget, the client-side cap refuses by itself: nothing is sent.
    await expect(page.getByTestId('spend-today')).toContainText('of $0.0001');
    await sendMessage(page, 'And now?');
    await expect(problem).toContainText('Stopped on this device before anything was sent.');
    await expect(problem).toContainText('your daily budget');
    expect(fake.requests).toHaveLength(0);
    // The only console errors are the browser's own lines for the server's 402 refusal.
    expect(consoleErrors.filter((line) => !/status of 402/.test(line))).toEqual([]);
  });

  test('an admin switches the AI off for the whole team: the next message is refused and says so', async ({ page, server, fake, consoleErrors }) => {
    await register(page, server, 'boss@example.com');
    await openChat(page);
    await newConversation(page);
    fake.setScript([{ text: 'Hello **there**' }]);
    await sendMessage(page, 'hi');
    await expect(messages(page).and(page.locator('[data-role="assistant"]'))).toHaveAttribute('data-status', 'complete', FIRST_CALL);
    await page.getByRole('link', { name: 'Spend and budgets' }).click();
    // The spend of that answer is in the report, by person and by model.
    await expect(page.getByTestId('spend-by-user')).toContainText('boss');
    await expect(page.getByTestId('spend-by-model')).toContainText('gpt-4.1-nano');
    await page.getByTestId('kill-tenant').click({ force: true });
    await expect(page.getByText('Switched off: every call is refused')).toBeVisible();
    await page.getByRole('link', { name: 'Conversations' }).click();
    await sendMessage(page, 'are you there?');
    const problem = page.getByTestId('chat-problem');
    await expect(problem).toHaveAttribute('data-kind', 'kill-switch');
    await expect(problem).toContainText('The AI assistant was switched off for your team by an administrator.');
    expect(fake.requests).toHaveLength(1);
    expect(consoleErrors.filter((line) => !/status of 403/.test(line))).toEqual([]);
  });

  test('an answer that costs more than was reserved pauses the session, which says why; Resume (a human action) lets it go on', async ({ page, server, fake, consoleErrors }) => {
    await register(page, server, 'careful@example.com');
    await openChat(page);
    await newConversation(page);
    fake.setScript([{ text: 'A short answer.', extraCompletionTokens: 200_000 }, { text: 'Going on.' }]);
    await sendMessage(page, 'first question');
    await expect(messages(page).and(page.locator('[data-role="assistant"]'))).toHaveAttribute('data-status', 'complete', FIRST_CALL);
    // The server halted the session and wrote it into the inbox: the thread says why.
    const halt = page.getByTestId('session-halt');
    await expect(halt).toContainText('This chat session is paused.');
    await expect(halt).toContainText('the provider reported more usage than was reserved');
    // The 100 % alert of the overrun reached the app as a banner.
    await expect(page.getByTestId('spend-alert').first()).toBeVisible();
    await expectAccessible(page, 'chat with a paused session');
    // Sending now is stopped on this device: the inbox reports the halt.
    await sendMessage(page, 'second question');
    const problem = page.getByTestId('chat-problem');
    await expect(problem).toHaveAttribute('data-kind', 'halted');
    await expect(problem).toContainText('Stopped on this device before anything was sent.');
    expect(fake.requests).toHaveLength(1);
    // Resume is a real click: the session goes on and the refused message is sent.
    await problem.getByRole('button', { name: 'Resume' }).click();
    await expect(messages(page).and(page.locator('[data-role="assistant"]')).nth(1)).toContainText('Going on.');
    await expect(halt).toHaveCount(0);
    expect(fake.requests).toHaveLength(2);
    expect(consoleErrors).toEqual([]);
  });

  test('the server operator sees spend by community, with the numbers /metrics exports, and switches the AI off for everyone', async ({ page, server, fake, consoleErrors }) => {
    await register(page, server, 'founder@example.com');
    await openChat(page);
    await newConversation(page);
    fake.setScript([{ text: 'Hello operator' }]);
    await sendMessage(page, 'hi');
    await expect(messages(page).and(page.locator('[data-role="assistant"]'))).toHaveAttribute('data-status', 'complete', FIRST_CALL);

    await page.getByRole('link', { name: 'Operator' }).click();
    const credential = page.getByLabel('Operator credential');
    await expect(credential).toBeVisible();
    await credential.fill('not-the-key');
    await page.getByRole('button', { name: 'Open the console' }).click();
    await expect(page.getByText('That is not the operator credential of this server.')).toBeVisible();
    await credential.fill(readFileSync(path.join(server.dataDir, 'keys/operator.key'), 'utf8').trim());
    await page.getByRole('button', { name: 'Open the console' }).click();
    await expect(page.getByTestId('llm-operator')).toBeVisible();
    await expect(page.getByTestId('spend-by-tenant')).toContainText('default');
    await expect(page.getByTestId('spend-chart')).toBeVisible();
    // The same number in /metrics (read from the ledger at the scrape) and on the screen.
    const metrics = await (await fetch(new URL('/metrics', server.url))).text();
    const line = metrics.split('\n').find((entry) => entry.startsWith('plaza_llm_ledger_spent_micro_usd{') && entry.includes('tenant="default"'));
    const charged = Number(line?.split(' ').at(-1));
    expect(charged).toBeGreaterThan(0);
    await expect(page.getByTestId('spend-by-tenant').getByRole('row').nth(1)).toContainText(formatSpend(charged));
    await expectAccessible(page, 'operator console');

    await page.getByTestId('kill-global').click({ force: true });
    await expect(page.getByTestId('operator-global-off')).toBeVisible();
    await page.getByRole('link', { name: 'Conversations' }).click();
    await sendMessage(page, 'still there?');
    const problem = page.getByTestId('chat-problem');
    await expect(problem).toHaveAttribute('data-kind', 'kill-switch');
    await expect(problem).toContainText('The AI assistant was switched off for everyone by the Plaza operator.');
    expect(fake.requests).toHaveLength(1);
    expect(consoleErrors.filter((line) => !/status of (401|403)/.test(line))).toEqual([]);
  });

  test('a guest sees that AI chat needs an account, and is offered to create one', async ({ page, server, consoleErrors }) => {
    await page.goto(new URL('/account', server.url).toString());
    await page.getByRole('button', { name: 'Continue as guest' }).click();
    await expect(page.getByTestId('profile-name')).toBeVisible();
    await openChat(page);
    const notice = page.getByTestId('chat-needs-account');
    await expect(notice).toContainText('AI chat needs an account');
    await expect(notice).toContainText('You are browsing as a guest');
    await expect(page.getByRole('textbox', { name: 'Message' })).toHaveCount(0);
    await expectAccessible(page, 'chat for a guest');
    await notice.getByRole('link', { name: 'Create an account' }).click();
    await expect(page).toHaveURL(/\/account$/);
    expect(consoleErrors).toEqual([]);
  });
});
