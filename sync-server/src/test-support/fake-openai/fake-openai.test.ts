import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, AuthenticationError, InternalServerError, NotFoundError, RateLimitError } from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { afterEach, describe, expect, it } from 'vitest';
import { countPromptTokens } from '../../../../shared/domain/llm/tokens.ts';
import { startFakeOpenAI, type FakeOpenAI, type FakeOpenAIOptions } from './fake-openai.ts';

const running: FakeOpenAI[] = [];
afterEach(async () => {
  for (const fake of running.splice(0)) await fake.close();
});

async function setup(options: FakeOpenAIOptions = {}): Promise<{ fake: FakeOpenAI; client: OpenAI }> {
  const fake = await startFakeOpenAI(options);
  running.push(fake);
  return { fake, client: new OpenAI({ apiKey: fake.apiKey, baseURL: fake.baseURL, maxRetries: 0, timeout: 5_000 }) };
}

const messages = [
  { role: 'system' as const, content: 'You are terse.' },
  { role: 'user' as const, content: 'Say hello to the chess club.' },
];
const expectedText = 'This is a deterministic answer from the fake OpenAI server to: Say hello to the chess club.';

async function collect(stream: AsyncIterable<ChatCompletionChunk>): Promise<ChatCompletionChunk[]> {
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

const textOf = (chunks: readonly ChatCompletionChunk[]) => chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? '').join('');

describe('fake OpenAI upstream with the official SDK', () => {
  it('streams with include_usage: the chunks make the text, the last one has empty choices and the usage', async () => {
    const { fake, client } = await setup();
    const chunks = await collect(await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true, stream_options: { include_usage: true } }));
    expect(textOf(chunks)).toBe(expectedText);
    expect(chunks[0]?.choices[0]?.delta).toEqual({ role: 'assistant', content: '', refusal: null });
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    const prompt = countPromptTokens(messages);
    expect(last?.usage).toMatchObject({ prompt_tokens: prompt, total_tokens: prompt + (last?.usage?.completion_tokens ?? 0), prompt_tokens_details: { cached_tokens: 0 } });
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('stop');
    expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk' && chunk.id === chunks[0]?.id)).toBe(true);
    const [request] = fake.requests;
    expect(request?.headers.authorization).toBe('Bearer sk-test');
    expect(request?.headers['user-agent']).toMatch(/^OpenAI\/JS /);
    expect(request?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(request?.end).toBe('completed');
  });

  it('without include_usage, stream chunks carry no usage field at all', async () => {
    const { fake, client } = await setup();
    const chunks = await collect(await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true }));
    expect(chunks.every((chunk) => !('usage' in chunk))).toBe(true);
    expect(textOf(chunks)).toBe(expectedText);
    expect(fake.requests[0]?.usage?.prompt_tokens).toBe(countPromptTokens(messages));
  });

  it('answers a non-stream request with a chat.completion and its usage', async () => {
    const { client } = await setup();
    const completion = await client.chat.completions.create({ model: 'gpt-4o', messages });
    expect(completion).toMatchObject({
      object: 'chat.completion',
      model: 'gpt-4o',
      choices: [{ index: 0, message: { role: 'assistant', content: expectedText }, finish_reason: 'stop', logprobs: null }],
      usage: { prompt_tokens: countPromptTokens(messages), prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } },
    });
    expect(completion.id).toMatch(/^chatcmpl-/);
    expect(completion.usage?.total_tokens).toBe((completion.usage?.prompt_tokens ?? 0) + (completion.usage?.completion_tokens ?? 0));
  });

  it("finishes with 'length' when max_tokens or max_completion_tokens is reached", async () => {
    const { client } = await setup();
    const plain = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, max_tokens: 3 });
    expect(plain.choices[0]?.finish_reason).toBe('length');
    expect(plain.usage?.completion_tokens).toBe(3);
    expect(plain.choices[0]?.message.content).toBe('This is a');
    const chunks = await collect(await client.chat.completions.create({ model: 'gpt-4o-mini', messages, max_completion_tokens: 5, stream: true, stream_options: { include_usage: true } }));
    expect(textOf(chunks)).toBe('This is a deterministic answer');
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('length');
    expect(chunks.at(-1)?.usage?.completion_tokens).toBe(5);
  });

  it('429 → RateLimitError with retry-after; 500 → InternalServerError; both counted', async () => {
    const { fake, client } = await setup();
    fake.setScript([{ error: { status: 429 } }, { error: { status: 500 } }]);
    const limited = await client.chat.completions.create({ model: 'gpt-4o-mini', messages }).catch((error: unknown) => error);
    expect(limited).toBeInstanceOf(RateLimitError);
    expect(limited).toMatchObject({ status: 429, code: 'rate_limit_exceeded', type: 'requests' });
    expect((limited as RateLimitError).headers.get('retry-after')).toBe('20');
    const broken = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true }).catch((error: unknown) => error);
    expect(broken).toBeInstanceOf(InternalServerError);
    expect((broken as InternalServerError).error).toEqual({ message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', param: null, code: null });
    expect((await client.chat.completions.create({ model: 'gpt-4o-mini', messages })).object).toBe('chat.completion');
    expect(fake.requests.map((request) => request.end)).toEqual(['error-response', 'error-response', 'completed']);
  });

  it('401 for a wrong key, 404 for an unknown model or route, shaped like OpenAI errors', async () => {
    const { fake, client } = await setup();
    const wrongKey = new OpenAI({ apiKey: 'sk-wrong', baseURL: fake.baseURL, maxRetries: 0 });
    await expect(wrongKey.chat.completions.create({ model: 'gpt-4o-mini', messages })).rejects.toBeInstanceOf(AuthenticationError);
    const missing = await client.chat.completions.create({ model: 'gpt-9', messages }).catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing).toMatchObject({ code: 'model_not_found' });
    const route = await fetch(`${fake.baseURL}/completions/legacy`, { method: 'POST', headers: { authorization: 'Bearer sk-test' } });
    expect(route.status).toBe(404);
    expect(await route.json()).toEqual({ error: { message: 'Invalid URL (POST /v1/completions/legacy)', type: 'invalid_request_error', param: null, code: null } });
  });

  it('lists models', async () => {
    const { client } = await setup({ models: ['gpt-4o-mini', 'gpt-5-mini'] });
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(['gpt-4o-mini', 'gpt-5-mini']);
    expect((await client.models.retrieve('gpt-5-mini')).id).toBe('gpt-5-mini');
  });

  it('an abort mid-stream (AbortController) ends the loop silently with no usage, and the fake sees the client leave', async () => {
    const { fake, client } = await setup();
    fake.setScript([{ holdAfterChunks: 2 }]);
    const controller = new AbortController();
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true, stream_options: { include_usage: true } }, { signal: controller.signal });
    const seen: ChatCompletionChunk[] = [];
    const reading = (async () => {
      for await (const chunk of stream) {
        seen.push(chunk);
        if (seen.length === 3) controller.abort();
      }
    })().catch((error: unknown) => error);
    // openai 7 swallows the abort: the for-await simply ends. A proxy must not read "the loop
    // ended" as "the call completed": only a usage chunk (or [DONE]) says that.
    expect(await reading).toBeUndefined();
    expect(seen.length).toBe(3);
    expect(seen.some((chunk) => chunk.usage)).toBe(false);
    await fake.until(() => fake.requests[0]?.end === 'client-closed');
    expect(fake.heldCount()).toBe(0);
  });

  it('a dropped connection mid-stream surfaces an error', async () => {
    const { fake, client } = await setup();
    fake.setScript([{ dropAfterChunks: 2 }]);
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true, stream_options: { include_usage: true } });
    const seen: ChatCompletionChunk[] = [];
    const error = await (async () => {
      for await (const chunk of stream) seen.push(chunk);
    })().catch((caught: unknown) => caught);
    // openai 7 passes undici's own error through mid-body: `TypeError: terminated`, not an APIConnectionError.
    expect(error).toBeInstanceOf(TypeError);
    expect(error).not.toBeInstanceOf(APIConnectionError);
    expect(String(error)).toMatch(/terminated/);
    expect(seen.map((chunk) => chunk.usage)).toEqual([null, null, null]);
    expect(fake.requests[0]?.end).toBe('dropped');
  });

  it('an error event mid-stream becomes an APIError in the SDK', async () => {
    const { fake, client } = await setup();
    fake.setScript([{ errorAfterChunks: 1 }]);
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true, stream_options: { include_usage: true } });
    const error = await collect(stream).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).message).toMatch(/server had an error/);
    expect(fake.requests[0]).toMatchObject({ end: 'error-event', chunksSent: 1 });
  });

  it('can omit the usage chunk although include_usage was asked for', async () => {
    const { fake, client } = await setup();
    fake.setScript([{ omitUsage: true }, { omitUsage: true }]);
    const chunks = await collect(await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true, stream_options: { include_usage: true } }));
    expect(textOf(chunks)).toBe(expectedText);
    expect(chunks.some((chunk) => chunk.usage)).toBe(false);
    expect((await client.chat.completions.create({ model: 'gpt-4o-mini', messages })).usage).toBeUndefined();
    expect(fake.requests[0]?.usage?.prompt_tokens).toBe(countPromptTokens(messages));
  });

  it('reports more usage than was used: per request, or as a server-wide undercount skew', async () => {
    const { fake, client } = await setup({ promptSkew: { percent: 50, tokens: 7 } });
    fake.setScript([{ extraPromptTokens: 100, extraCompletionTokens: 5, cachedTokens: 4, reasoningTokens: 2 }]);
    const counted = countPromptTokens(messages);
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, max_tokens: 3 });
    expect(completion.usage).toMatchObject({
      prompt_tokens: counted + Math.ceil(counted / 2) + 7 + 100,
      completion_tokens: 3 + 2 + 5,
      prompt_tokens_details: { cached_tokens: 4 },
      completion_tokens_details: { reasoning_tokens: 2 },
    });
  });

  it('can ignore max_tokens, like a provider that does not honour the clamp', async () => {
    const { fake, client } = await setup();
    fake.setScript([{ ignoreMaxTokens: true, text: 'one two three four five six' }]);
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, max_tokens: 2 });
    expect(completion.choices[0]?.message.content).toBe('one two three four five six');
    expect(completion.usage?.completion_tokens).toBe(6);
  });

  it('slows a stream down per chunk, and holds one open until released', async () => {
    const { fake, client } = await setup();
    fake.setScript([{ chunkDelayMs: 25, text: 'a b c d' }, { holdAfterChunks: 1, text: 'held then released' }]);
    const started = performance.now();
    expect(textOf(await collect(await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true })))).toBe('a b c d');
    expect(performance.now() - started).toBeGreaterThanOrEqual(4 * 25 - 5);
    const pending = client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true, stream_options: { include_usage: true } }).then(collect);
    await fake.until(() => fake.heldCount() === 1);
    expect(fake.requests[1]?.chunksSent).toBe(1);
    expect(fake.requests[1]?.end).toBeUndefined();
    fake.release();
    const chunks = await pending;
    expect(textOf(chunks)).toBe('held then released');
    expect(chunks.at(-1)?.usage?.completion_tokens).toBe(3);
  });

  it('can delay the whole answer, so a client timeout fires before any byte', async () => {
    const { fake } = await setup();
    fake.setScript([{ responseDelayMs: 300 }]);
    const impatient = new OpenAI({ apiKey: fake.apiKey, baseURL: fake.baseURL, maxRetries: 0, timeout: 50 });
    await expect(impatient.chat.completions.create({ model: 'gpt-4o-mini', messages })).rejects.toBeInstanceOf(APIConnectionTimeoutError);
    await fake.until(() => fake.requests[0]?.end === 'client-closed');
  });

  it('records bodies so a proxy test can assert the clamp and the forced usage report', async () => {
    const { fake, client } = await setup();
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages, max_completion_tokens: 42, stream: true, stream_options: { include_usage: true } }).then(collect);
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]).toMatchObject({ method: 'POST', path: '/v1/chat/completions', body: { max_completion_tokens: 42, stream_options: { include_usage: true } } });
    expect(JSON.parse(fake.requests[0]?.rawBody ?? '{}')).toEqual(fake.requests[0]?.body);
  });

  it('answers n choices, and close() ends a held stream', async () => {
    const { fake, client } = await setup();
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, n: 2, max_tokens: 2 });
    expect(completion.choices.map((choice) => [choice.index, choice.message.content])).toEqual([
      [0, 'This is'],
      [1, 'This is'],
    ]);
    expect(completion.usage?.completion_tokens).toBe(4);
    fake.setScript([{ holdAfterChunks: 0 }]);
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    const reading = collect(stream).catch((error: unknown) => error);
    await fake.until(() => fake.heldCount() === 1);
    await fake.close();
    expect(String(await reading)).toMatch(/terminated/);
  });
});
