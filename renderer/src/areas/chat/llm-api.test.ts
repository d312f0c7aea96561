import { describe, expect, it } from 'vitest';
import { LlmApi, LlmHttpError } from './llm-api.ts';
import { SseReader } from './sse.ts';

describe('SSE reader', () => {
  it.each([
    ['one event', ['data: a\n\n'], ['a']],
    ['split anywhere', ['da', 'ta: he', 'llo\n', '\ndata: [DONE]\n\n'], ['hello', '[DONE]']],
    ['CRLF line ends, split between CR and LF', ['data: x\r', '\n\r\n'], ['x']],
    ['multi-line data', ['data: one\ndata: two\n\n'], ['one\ntwo']],
    ['comments and other fields ignored', [': ping\nevent: x\nid: 3\ndata: y\n\n'], ['y']],
    ['no space after the colon', ['data:z\n\n'], ['z']],
  ])('%s', (_name, pieces, expected) => {
    const reader = new SseReader();
    const events = pieces.flatMap((piece) => reader.feed(piece));
    expect([...events, ...reader.end()]).toEqual(expected);
  });

  it('an event cut off by the end of the stream still counts', () => {
    const reader = new SseReader();
    expect(reader.feed('data: last')).toEqual([]);
    expect(reader.end()).toEqual(['last']);
  });
});

const chunk = (content: string) => `data: ${JSON.stringify({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content } }] })}\n\n`;
const usageChunk = `data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 12, completion_tokens: 3, prompt_tokens_details: { cached_tokens: 0 } }, plaza: { call_id: 'c1', reserved_micro_usd: 50, charged_micro_usd: 4, basis: 'usage', max_completion_tokens: 100 } })}\n\n`;

/** A fetch that answers with these SSE pieces, one per read, and records the request. */
function streaming(pieces: readonly string[], options: { hold?: boolean } = {}) {
  const requests: Array<{ url: string; init: RequestInit }> = [];
  const fetchImpl = (async (url: string, init: RequestInit) => {
    requests.push({ url, init });
    const encoder = new TextEncoder();
    let index = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const piece = pieces[index];
        index += 1;
        if (piece !== undefined) controller.enqueue(encoder.encode(piece));
        else if (!options.hold) controller.close();
        else
          return new Promise<void>((_resolve, reject) => {
            init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
          });
        return undefined;
      },
    });
    return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
  }) as unknown as typeof fetch;
  return { requests, api: new LlmApi({ serverUrl: 'http://plaza.test/', token: async () => 'tok', fetchImpl }) };
}

describe('LlmApi.streamChat', () => {
  it('streams the answer piece by piece and reads the usage and the receipt', async () => {
    const { api, requests } = streaming([chunk('Hel'), chunk('lo '), `${chunk('world').slice(0, 10)}`, `${chunk('world').slice(10)}${usageChunk}`, 'data: [DONE]\n\n']);
    const pieces: string[] = [];
    const end = await api.streamChat({ model: 'm', messages: [] }, (piece) => pieces.push(piece), new AbortController().signal);
    expect(pieces).toEqual(['Hel', 'lo ', 'world']);
    expect(end).toEqual({
      kind: 'complete',
      text: 'Hello world',
      usage: { promptTokens: 12, completionTokens: 3, cachedPromptTokens: 0 },
      receipt: { call_id: 'c1', reserved_micro_usd: 50, charged_micro_usd: 4, basis: 'usage', max_completion_tokens: 100 },
    });
    expect(requests[0]?.url).toBe('http://plaza.test/v1/chat/completions');
    expect((requests[0]?.init.headers as Record<string, string>).authorization).toBe('Bearer tok');
  });

  it('an SSE error event (kill switch, upstream) ends it as an error, keeping the text', async () => {
    const { api } = streaming([chunk('partial'), `data: ${JSON.stringify({ error: { code: 'kill_switch', message: 'switched off', type: 'kill_switch', param: null, details: { refusal: 'kill-switch' } } })}\n\n`]);
    const end = await api.streamChat({}, () => undefined, new AbortController().signal);
    expect(end.kind).toBe('error');
    if (end.kind !== 'error') return;
    expect(end.text).toBe('partial');
    expect(end.error).toMatchObject({ code: 'kill_switch', message: 'switched off', details: { refusal: 'kill-switch' } });
  });

  it('a stream that ends without [DONE] is not a complete answer', async () => {
    const { api } = streaming([chunk('cut')]);
    expect(await api.streamChat({}, () => undefined, new AbortController().signal)).toMatchObject({ kind: 'error', text: 'cut' });
  });

  it('the stop button (abort) ends it as stopped with what arrived', async () => {
    const { api } = streaming([chunk('one '), chunk('two ')], { hold: true });
    const controller = new AbortController();
    const seen: string[] = [];
    const end = await api.streamChat(
      {},
      (piece) => {
        seen.push(piece);
        if (seen.length === 2) setTimeout(() => controller.abort(), 5);
      },
      controller.signal,
    );
    expect(end).toEqual({ kind: 'stopped', text: 'one two ' });
  });

  it('a refusal before the answer keeps the server code, message and details', async () => {
    const body = { error: { code: 'budget_exhausted', message: 'Not enough left in your daily budget.', type: 'budget_exhausted', param: null, details: { refusal: 'budget-exhausted', budget: { kind: 'user-day', resetsAt: 1 } } } };
    const fetchImpl = (async () => new Response(JSON.stringify(body), { status: 402, headers: { 'content-type': 'application/json' } })) as unknown as typeof fetch;
    const api = new LlmApi({ serverUrl: 'http://plaza.test', token: async () => 'tok', fetchImpl });
    const end = await api.streamChat({}, () => undefined, new AbortController().signal);
    expect(end.kind).toBe('refused');
    if (end.kind === 'refused') expect(end.error).toMatchObject({ status: 402, code: 'budget_exhausted', details: { refusal: 'budget-exhausted' } });
  });

  it('offline (no token) or an unreachable server is a network refusal, not a throw', async () => {
    const offline = new LlmApi({ serverUrl: 'http://plaza.test', token: async () => null });
    expect(await offline.streamChat({}, () => undefined, new AbortController().signal)).toMatchObject({ kind: 'refused', error: { code: 'network' } });
    const unreachable = new LlmApi({
      serverUrl: 'http://plaza.test',
      token: async () => 't',
      fetchImpl: (async () => {
        throw new TypeError('fetch failed');
      }) as unknown as typeof fetch,
    });
    await expect(unreachable.models()).rejects.toBeInstanceOf(LlmHttpError);
  });

  it('getSession answers null for a session the server does not know', async () => {
    const fetchImpl = (async () => new Response(JSON.stringify({ error: { code: 'not_found', message: 'no' } }), { status: 404 })) as unknown as typeof fetch;
    expect(await new LlmApi({ serverUrl: 'http://plaza.test', token: async () => 't', fetchImpl }).getSession('s1')).toBeNull();
  });
});
