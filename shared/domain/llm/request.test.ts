import { encodeChat } from 'gpt-tokenizer/model/gpt-4o';
import { describe, expect, it } from 'vitest';
import { requestFingerprint } from './fingerprint.ts';
import { ALLOWED_REQUEST_FIELDS, parseChatRequest, requestedMaxTokens, type ChatRequest } from './request.ts';
import { countPromptTokens, countTextTokens, reservedPromptTokens } from './tokens.ts';
import { upstreamRequestBody } from './upstream.ts';

const base = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }] };

function parsed(body: unknown): ChatRequest {
  const result = parseChatRequest(body);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

describe('request allow-list', () => {
  it('accepts every allowed field', () => {
    const request = parsed({
      ...base,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'developer', content: [{ type: 'text', text: 'Plain text.' }] },
        { role: 'user', content: 'Hi', name: 'ada' },
        { role: 'assistant', content: 'Hello!' },
      ],
      max_tokens: 100,
      max_completion_tokens: 50,
      temperature: 0.2,
      top_p: 1,
      stop: ['\n\n'],
      stream: true,
      stream_options: { include_usage: false },
      n: 1,
      presence_penalty: 0,
      frequency_penalty: 0.5,
      seed: 7,
      user: 'u-1',
      service_tier: 'default',
      reasoning_effort: 'low',
      plaza_session_id: 's-1',
      plaza_human_input: true,
    });
    expect(requestedMaxTokens(request)).toBe(50);
    expect(ALLOWED_REQUEST_FIELDS).toContain('plaza_human_input');
  });

  it('accepts explicit nulls the SDK may send', () => {
    expect(requestedMaxTokens(parsed({ ...base, max_tokens: null, temperature: null, stop: null }))).toBeUndefined();
  });

  it.each([
    ['tools (cannot be priced)', { tools: [{ type: 'function', function: { name: 'f' } }] }, 'field-not-allowed', 'tools', /cannot be priced/],
    ['functions', { functions: [{ name: 'f' }] }, 'field-not-allowed', 'functions', /cannot be priced/],
    ['audio output', { audio: { voice: 'alloy', format: 'mp3' } }, 'field-not-allowed', 'audio', /audio/],
    ['a server-side conversation', { previous_response_id: 'resp_1' }, 'field-not-allowed', 'previous_response_id', /not in the request/],
    ['predicted outputs', { prediction: { type: 'content', content: 'x' } }, 'field-not-allowed', 'prediction', /prediction/],
    ['an unknown field', { frobnicate: true }, 'field-not-allowed', 'frobnicate', /allow-list/],
    ['a prototype key', JSON.parse('{"__proto__": {"x": 1}}'), 'field-not-allowed', '__proto__', /allow-list/],
    ['the priority tier', { service_tier: 'priority' }, 'invalid-request', 'service_tier', /"default"/],
    ['the auto tier', { service_tier: 'auto' }, 'invalid-request', 'service_tier', /"default"/],
    ['an image part', { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'x' } }] }] }, 'field-not-allowed', 'messages[0].content[0].type', /image_url/],
    ['an audio part', { messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: {} }] }] }, 'field-not-allowed', 'messages[0].content[0].type', /input_audio/],
    ['a tool message', { messages: [{ role: 'tool', content: 'x', tool_call_id: 't' }] }, 'field-not-allowed', 'messages[0].role', /tool/],
    ['assistant tool calls', { messages: [{ role: 'assistant', content: null, tool_calls: [] }] }, 'field-not-allowed', 'messages[0].tool_calls', /text/],
    ['an unknown message field', { messages: [{ role: 'user', content: 'x', cache_control: {} }] }, 'invalid-request', 'messages[0]', /cache_control/],
    ['no messages', { messages: [] }, 'invalid-request', 'messages', /cannot be empty/],
    ['a float max_tokens', { max_tokens: 10.5 }, 'invalid-request', 'max_tokens', /whole number/],
    ['max_tokens 0', { max_tokens: 0 }, 'invalid-request', 'max_tokens', /at least 1/],
    ['temperature 3', { temperature: 3 }, 'invalid-request', 'temperature', /between 0 and 2/],
    ['five stop sequences', { stop: ['a', 'b', 'c', 'd', 'e'] }, 'invalid-request', 'stop', /at most 4/],
    ['unknown stream options', { stream_options: { include_usage: true, extra: 1 } }, 'invalid-request', 'stream_options', /extra/],
  ])('refuses %s', (_name, patch, code, field, message) => {
    const result = parseChatRequest({ ...base, ...patch });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe(code);
      expect(result.error.field).toBe(field);
      expect(result.error.message).toMatch(message);
    }
  });

  it('refuses a body that is not an object', () => {
    for (const body of [null, [], 'x', 3]) expect(parseChatRequest(body)).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
  });
});

describe('prompt tokens', () => {
  it('frames messages like gpt-tokenizer encodeChat does for GPT-4o (3 per message + 3 priming)', () => {
    const messages = [
      { role: 'system', content: 'You are a helpful assistant.' },
      { role: 'user', content: 'What is the capital of France? Answer in one word.' },
      { role: 'assistant', content: 'Paris.' },
    ] as const;
    expect(countPromptTokens(messages.map((message) => ({ ...message })))).toBe(encodeChat(messages.map((message) => ({ ...message }))).length);
    const one = countTextTokens('Hello');
    expect(countPromptTokens([{ role: 'user', content: 'Hello' }])).toBe(3 + countTextTokens('user') + one + 3);
  });

  it('counts text parts as their joined text and a name with its extra token', () => {
    expect(countPromptTokens([{ role: 'user', content: [{ type: 'text', text: 'Hello' }, { type: 'text', text: ' world' }] }])).toBe(
      countPromptTokens([{ role: 'user', content: 'Hello world' }]),
    );
    const named = countPromptTokens([{ role: 'user', content: 'Hi', name: 'ada' }]);
    expect(named).toBe(countPromptTokens([{ role: 'user', content: 'Hi' }]) + countTextTokens('ada') + 1);
  });

  it('counts special-token look-alikes in user text as text, never throws', () => {
    expect(countTextTokens('<|endoftext|><|im_start|>')).toBeGreaterThan(2);
    expect(countPromptTokens([{ role: 'user', content: 'ignore <|im_end|> this' }])).toBeGreaterThan(8);
  });

  it('reserves the prompt with a margin: ×1.1 rounded up, plus a constant', () => {
    expect(reservedPromptTokens(0, { percent: 10, tokens: 16 })).toBe(16);
    expect(reservedPromptTokens(100, { percent: 10, tokens: 16 })).toBe(126);
    expect(reservedPromptTokens(101, { percent: 10, tokens: 0 })).toBe(112); // 10.1 → 11
    expect(() => reservedPromptTokens(-1, { percent: 10, tokens: 0 })).toThrow(RangeError);
  });
});

describe('fingerprint', () => {
  it('ignores key order, Plaza fields and transport, and sees any change in what is asked', () => {
    const a = parsed({ ...base, temperature: 0, plaza_human_input: true, stream: true });
    const b = parsed({ temperature: 0, messages: [{ content: 'Hello', role: 'user' }], model: 'gpt-4o-mini', plaza_session_id: 'x' });
    expect(requestFingerprint(a)).toBe(requestFingerprint(b));
    expect(requestFingerprint(a)).toMatch(/^[0-9a-f]{16}$/);
    expect(requestFingerprint(parsed({ ...base, temperature: 0.1 }))).not.toBe(requestFingerprint(a));
    expect(requestFingerprint(parsed({ ...base, messages: [{ role: 'user', content: 'Hello!' }] }))).not.toBe(requestFingerprint(parsed(base)));
  });

  it('is canonical inside nested values: key order and null fields do not count', () => {
    const a = parsed({ ...base, messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }, { type: 'text', text: 'there' }], name: 'ann' }], seed: null });
    const b = parsed({ ...base, messages: [{ name: 'ann', content: [{ text: 'Hi', type: 'text' }, { text: 'there', type: 'text' }], role: 'user' }] });
    expect(requestFingerprint(a)).toBe(requestFingerprint(b));
    const swapped = parsed({ ...base, messages: [{ role: 'user', content: [{ type: 'text', text: 'there' }, { type: 'text', text: 'Hi' }], name: 'ann' }] });
    expect(requestFingerprint(swapped)).not.toBe(requestFingerprint(a));
    expect(requestFingerprint(parsed({ ...base, messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }] }))).not.toBe(requestFingerprint(parsed(base)));
  });

  it('never confuses values whose text runs together', () => {
    const stops = (...stop: string[]) => parsed({ ...base, stop });
    expect(requestFingerprint(stops('ab', 'c'))).not.toBe(requestFingerprint(stops('a', 'bc')));
    expect(requestFingerprint(stops('a', ''))).not.toBe(requestFingerprint(stops('a')));
    const parts = (...texts: string[]) => parsed({ ...base, messages: [{ role: 'user', content: texts.map((text) => ({ type: 'text', text })) }] });
    expect(requestFingerprint(parts('ab', 'c'))).not.toBe(requestFingerprint(parts('a', 'bc')));
    // Shapes the schema refuses today, so that a field added to it later cannot collide either.
    const raw = (extra: unknown) => requestFingerprint({ ...base, extra } as never);
    expect(raw([['a'], ['b']])).not.toBe(raw([['a', ['b']]]));
    expect(raw({ a: { b: 1 }, c: 2 })).not.toBe(raw({ a: { b: 1, c: 2 } }));
    expect(requestFingerprint(parsed({ ...base, seed: 12 }))).not.toBe(requestFingerprint(parsed({ ...base, seed: 1, temperature: 2 })));
    expect(requestFingerprint(parsed({ ...base, stop: ['1'] }))).not.toBe(requestFingerprint(parsed({ ...base, stop: '1' })));
  });
});

describe('upstream body', () => {
  it('strips Plaza fields, replaces max_tokens by the clamp and forces the usage report on streams', () => {
    const request = parsed({ ...base, max_tokens: 9_999, stream: true, stream_options: { include_usage: false }, plaza_session_id: 's', plaza_human_input: true, temperature: null, seed: 3 });
    const body = upstreamRequestBody({ request, model: { id: 'gpt-4o-mini' }, clampedMaxTokens: 321, choices: 1, stream: true } as never);
    expect(body).toEqual({
      model: 'gpt-4o-mini',
      messages: base.messages,
      seed: 3,
      max_completion_tokens: 321,
      stream: true,
      stream_options: { include_usage: true },
    });
    const plain = upstreamRequestBody({ request: parsed({ ...base, n: 2 }), model: { id: 'gpt-4o-mini' }, clampedMaxTokens: 10, choices: 2, stream: false } as never);
    expect(plain).toEqual({ model: 'gpt-4o-mini', messages: base.messages, max_completion_tokens: 10, n: 2 });
  });
});
