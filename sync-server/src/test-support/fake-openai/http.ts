/** HTTP plumbing of the fake OpenAI server: bodies, JSON answers, OpenAI-shaped errors. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { wireError, type WireError } from './wire.ts';

export interface FakeErrorBehaviour {
  readonly status: number;
  readonly message?: string;
  readonly type?: string;
  readonly code?: string | null;
  readonly param?: string | null;
  /** Sent as `retry-after` (seconds); 429 defaults to 20. */
  readonly retryAfterSeconds?: number;
}

interface ErrorDefaults {
  readonly message: string;
  readonly type: string;
  readonly code: string | null;
}

export const SERVER_ERROR: ErrorDefaults = { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', code: null };

const STATUS_DEFAULTS: Readonly<Record<number, ErrorDefaults>> = {
  400: { message: 'Invalid request.', type: 'invalid_request_error', code: null },
  401: { message: 'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.', type: 'invalid_request_error', code: 'invalid_api_key' },
  403: { message: 'You are not allowed to sample from this model.', type: 'invalid_request_error', code: null },
  404: { message: 'The model does not exist or you do not have access to it.', type: 'invalid_request_error', code: 'model_not_found' },
  429: { message: 'Rate limit reached for requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.', type: 'requests', code: 'rate_limit_exceeded' },
  500: SERVER_ERROR,
  503: { message: 'The engine is currently overloaded, please try again later.', type: 'server_error', code: null },
};

export function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    request.on('error', reject);
  });
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

export function errorFor(behaviour: FakeErrorBehaviour): { body: WireError; headers: Record<string, string> } {
  const defaults = STATUS_DEFAULTS[behaviour.status] ?? SERVER_ERROR;
  const body = wireError(behaviour.message ?? defaults.message, behaviour.type ?? defaults.type, behaviour.code === undefined ? defaults.code : behaviour.code, behaviour.param ?? null);
  const retryAfter = behaviour.retryAfterSeconds ?? (behaviour.status === 429 ? 20 : undefined);
  const headers: Record<string, string> = retryAfter === undefined ? {} : { 'retry-after': String(retryAfter), 'retry-after-ms': String(retryAfter * 1000) };
  if (behaviour.status === 429) Object.assign(headers, { 'x-ratelimit-limit-requests': '3', 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': `${retryAfter ?? 20}s` });
  return { body, headers };
}
