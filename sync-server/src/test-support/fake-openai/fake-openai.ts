/**
 * A fake OpenAI-compatible upstream for tests: `node:http` on 127.0.0.1, port 0, speaking the Chat
 * Completions wire format like the real API (JSON and SSE streams, usage, errors), with scripted
 * misbehaviour: slow streams, dropped connections, missing usage, errors up front or mid-stream,
 * inflated usage, streams held open until released. Every request is recorded.
 *
 *   const fake = await startFakeOpenAI();
 *   const client = new OpenAI({ apiKey: fake.apiKey, baseURL: fake.baseURL, maxRetries: 0 });
 *   fake.setScript([{ error: { status: 429 } }, { dropAfterChunks: 2 }]);
 *
 * Behaviours come from the script queue, one per chat request, then from `defaults`.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { errorFor, parseJson, readBody, sendJson, SERVER_ERROR, type FakeErrorBehaviour } from './http.ts';
import { answerOf, chunkBody, completionBody, deltaChoice, lastUserText, promptTokensOf, sse, wireError, wireUsage, type CompletionMeta } from './wire.ts';

export type { FakeErrorBehaviour } from './http.ts';

export interface FakeBehaviour {
  /** Answer with this OpenAI error before anything else. */
  readonly error?: FakeErrorBehaviour;
  /** The answer text (before the max_tokens cut); default from `options.answer`. */
  readonly text?: string;
  /** Wait this long before answering at all (headers included): for timeout tests. */
  readonly responseDelayMs?: number;
  /** Wait this long before each streamed content chunk. */
  readonly chunkDelayMs?: number;
  /** Destroy the socket after this many content chunks (a dropped connection). */
  readonly dropAfterChunks?: number;
  /** Send an SSE error event after this many content chunks, then end the response. */
  readonly errorAfterChunks?: number;
  /** Hold the stream open after this many content chunks until `release()`. */
  readonly holdAfterChunks?: number;
  /** Never report usage: no final usage chunk, no `usage` in a JSON answer. */
  readonly omitUsage?: boolean;
  /** Report more prompt / completion tokens than were really there. */
  readonly extraPromptTokens?: number;
  readonly extraCompletionTokens?: number;
  /** Report this many of the prompt tokens as cached. */
  readonly cachedTokens?: number;
  /** Report this many reasoning tokens, added to `completion_tokens`. */
  readonly reasoningTokens?: number;
  /** Answer past max_tokens, like a provider that ignores the limit. */
  readonly ignoreMaxTokens?: boolean;
}

export interface FakeOpenAIOptions {
  /** The accepted bearer key; null accepts any request. Default `sk-test`. */
  readonly apiKey?: string | null;
  readonly models?: readonly string[];
  /** Default answer text for a request. */
  readonly answer?: (body: Record<string, unknown>, requestIndex: number) => string;
  /** Server-wide undercount skew: report prompt_tokens ×(1 + percent/100) + tokens. */
  readonly promptSkew?: { readonly percent: number; readonly tokens: number };
  readonly tokensPerChunk?: number;
  readonly defaults?: FakeBehaviour;
  /** Seconds for `created`. */
  readonly now?: () => number;
}

export type ExchangeEnd = 'completed' | 'client-closed' | 'dropped' | 'error-event' | 'error-response';

export interface RecordedRequest {
  readonly index: number;
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly rawBody: string;
  /** The parsed JSON body, or undefined when it was not JSON. */
  readonly body: unknown;
  readonly behaviour: FakeBehaviour;
  /** Content chunks written so far (streams). */
  chunksSent: number;
  /** How the exchange ended; undefined while it runs. */
  end?: ExchangeEnd;
  /** The usage the fake computed for this request, even when it did not report it. */
  usage?: ReturnType<typeof wireUsage>;
}

export interface FakeOpenAI {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** `http://127.0.0.1:PORT/v1`, for `new OpenAI({ baseURL })`. */
  readonly baseURL: string;
  readonly apiKey: string;
  readonly requests: RecordedRequest[];
  /** Replaces the queue of behaviours for the next chat requests. */
  setScript(behaviours: readonly FakeBehaviour[]): void;
  /** Releases every stream held by `holdAfterChunks`. */
  release(): void;
  /** Streams currently held. */
  heldCount(): number;
  /** Resolves once `predicate()` holds; rejects after `timeoutMs`. */
  until(predicate: () => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export const DEFAULT_FAKE_MODELS = ['gpt-4o-mini', 'gpt-4o', 'gpt-4.1-nano', 'gpt-4.1-mini', 'gpt-4.1', 'gpt-5-nano', 'gpt-5-mini', 'gpt-5'];

const defaultAnswer = (body: Record<string, unknown>) => `This is a deterministic answer from the fake OpenAI server to: ${lastUserText(body.messages).slice(0, 80)}`;

export async function startFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  const apiKey = options.apiKey === undefined ? 'sk-test' : options.apiKey;
  const models = options.models ?? DEFAULT_FAKE_MODELS;
  const answer = options.answer ?? defaultAnswer;
  const tokensPerChunk = options.tokensPerChunk ?? 1;
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  const requests: RecordedRequest[] = [];
  let script: FakeBehaviour[] = [];
  const held = new Set<() => void>();
  let closing = false;

  function authorised(request: IncomingMessage, response: ServerResponse): boolean {
    if (apiKey === null) return true;
    const header = request.headers.authorization;
    if (header === `Bearer ${apiKey}`) return true;
    const message = header
      ? `Incorrect API key provided: ${header.replace(/^Bearer\s+/i, '').slice(0, 8)}***. You can find your API key at https://platform.openai.com/account/api-keys.`
      : "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";
    sendJson(response, 401, wireError(message, 'invalid_request_error', header ? 'invalid_api_key' : null));
    return false;
  }

  async function chat(request: IncomingMessage, response: ServerResponse, record: RecordedRequest): Promise<void> {
    const behaviour = record.behaviour;
    let clientClosed = false;
    response.on('close', () => {
      if (!response.writableFinished && record.end === undefined) {
        clientClosed = true;
        record.end = 'client-closed';
      }
    });
    if (behaviour.responseDelayMs) await delay(behaviour.responseDelayMs);
    if (clientClosed || closing) return;
    if (behaviour.error) {
      const { body, headers } = errorFor(behaviour.error);
      record.end = 'error-response';
      return sendJson(response, behaviour.error.status, body, headers);
    }
    const body = record.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      record.end = 'error-response';
      return sendJson(response, 400, wireError('We could not parse the JSON body of your request. (HINT: This likely means you aren\'t using your HTTP library correctly.)', 'invalid_request_error'));
    }
    const fields = body as Record<string, unknown>;
    if (typeof fields.model !== 'string') {
      record.end = 'error-response';
      return sendJson(response, 400, wireError('you must provide a model parameter', 'invalid_request_error'));
    }
    if (!Array.isArray(fields.messages)) {
      record.end = 'error-response';
      return sendJson(response, 400, wireError("Missing required parameter: 'messages'.", 'invalid_request_error', 'missing_required_parameter', 'messages'));
    }
    if (!models.includes(fields.model)) {
      record.end = 'error-response';
      return sendJson(response, 404, wireError(`The model \`${fields.model}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found'));
    }

    const limitField = [fields.max_completion_tokens, fields.max_tokens].find((value) => typeof value === 'number');
    const limit = behaviour.ignoreMaxTokens || typeof limitField !== 'number' ? undefined : limitField;
    const choices = typeof fields.n === 'number' && fields.n > 1 ? Math.floor(fields.n) : 1;
    const text = behaviour.text ?? answer(fields, record.index);
    const answers = Array.from({ length: choices }, () => answerOf(text, limit, tokensPerChunk));
    const counted = promptTokensOf(fields.messages);
    const skew = options.promptSkew ?? { percent: 0, tokens: 0 };
    const promptTokens = counted + Math.ceil((counted * skew.percent) / 100) + skew.tokens + (behaviour.extraPromptTokens ?? 0);
    const reasoning = behaviour.reasoningTokens ?? 0;
    const completionTokens = answers.reduce((sum, item) => sum + item.tokens, 0) + reasoning + (behaviour.extraCompletionTokens ?? 0);
    const usage = wireUsage(promptTokens, completionTokens, Math.min(behaviour.cachedTokens ?? 0, promptTokens), reasoning);
    record.usage = usage;
    const meta: CompletionMeta = { id: `chatcmpl-fake${String(record.index).padStart(6, '0')}`, created: now(), model: fields.model };
    const headers = { 'x-request-id': `req_fake${record.index}`, 'openai-processing-ms': '1', 'openai-version': '2020-10-01' };

    if (fields.stream !== true) {
      record.end = 'completed';
      return sendJson(response, 200, completionBody(meta, answers, behaviour.omitUsage ? undefined : usage), headers);
    }

    const streamOptions = fields.stream_options as { include_usage?: unknown } | undefined;
    const includeUsage = streamOptions?.include_usage === true;
    response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', ...headers });
    // Each frame is flushed before the next step, so a drop or a hold happens after what was sent.
    const write = (data: unknown) =>
      new Promise<void>((resolve) => {
        if (clientClosed || closing || response.destroyed) return resolve();
        response.write(sse(data), () => resolve());
      });
    const all = (make: (index: number) => Record<string, unknown>) => answers.map((_, index) => make(index));
    await write(chunkBody(meta, all((index) => deltaChoice(index, { role: 'assistant', content: '', refusal: null })), includeUsage));
    const steps = Math.max(...answers.map((item) => item.pieces.length));
    for (let step = 0; step <= steps; step += 1) {
      if (behaviour.holdAfterChunks === step) {
        await new Promise<void>((resolve) => {
          const done = () => {
            held.delete(done);
            resolve();
          };
          held.add(done);
          response.once('close', done);
        });
      }
      if (clientClosed || closing) return;
      if (behaviour.dropAfterChunks === step) {
        record.end = 'dropped';
        request.socket.destroy();
        return;
      }
      if (behaviour.errorAfterChunks === step) {
        record.end = 'error-event';
        await write(wireError(SERVER_ERROR.message, SERVER_ERROR.type));
        response.end();
        return;
      }
      if (step === steps) break;
      if (behaviour.chunkDelayMs) await delay(behaviour.chunkDelayMs);
      if (clientClosed || closing) return;
      const pieces = answers.flatMap((item, index) => {
        const piece = item.pieces[step];
        return piece === undefined ? [] : [deltaChoice(index, { content: piece })];
      });
      await write(chunkBody(meta, pieces, includeUsage));
      record.chunksSent += 1;
    }
    await write(chunkBody(meta, all((index) => deltaChoice(index, {}, answers[index]?.finishReason ?? 'stop')), includeUsage));
    if (includeUsage && !behaviour.omitUsage) await write(chunkBody(meta, [], true, usage));
    await write('[DONE]');
    record.end = 'completed';
    response.end();
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const rawBody = await readBody(request);
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const method = request.method ?? 'GET';
    const isChat = method === 'POST' && path === '/v1/chat/completions';
    const behaviour = isChat ? (script.shift() ?? options.defaults ?? {}) : {};
    const record: RecordedRequest = { index: requests.length, method, path, headers: request.headers, rawBody, body: parseJson(rawBody), behaviour, chunksSent: 0 };
    requests.push(record);
    if (!authorised(request, response)) {
      record.end = 'error-response';
      return;
    }
    if (isChat) return chat(request, response, record);
    if (method === 'GET' && path === '/v1/models') {
      record.end = 'completed';
      return sendJson(response, 200, { object: 'list', data: models.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'system' })) });
    }
    const model = /^\/v1\/models\/([^/]+)$/.exec(path)?.[1];
    if (method === 'GET' && model !== undefined) {
      record.end = models.includes(decodeURIComponent(model)) ? 'completed' : 'error-response';
      if (record.end === 'completed') return sendJson(response, 200, { id: decodeURIComponent(model), object: 'model', created: 1_700_000_000, owned_by: 'system' });
      return sendJson(response, 404, wireError(`The model '${decodeURIComponent(model)}' does not exist`, 'invalid_request_error', 'model_not_found', 'model'));
    }
    record.end = 'error-response';
    sendJson(response, 404, wireError(`Invalid URL (${method} ${path})`, 'invalid_request_error'));
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, wireError(`fake server bug: ${String(error)}`, 'server_error'));
      else response.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    baseURL: `${url}/v1`,
    apiKey: apiKey ?? 'sk-any',
    requests,
    setScript(behaviours) {
      script = [...behaviours];
    },
    release() {
      for (const done of [...held]) done();
    },
    heldCount: () => held.size,
    async until(predicate, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate()) {
        if (Date.now() > deadline) throw new Error('fake OpenAI: condition not reached in time');
        await delay(5);
      }
    },
    async close() {
      closing = true;
      for (const done of [...held]) done();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
