/**
 * Reading request bodies at the HTTP boundary: a size limit, strict UTF-8, JSON, then a strict
 * zod schema. Every failure is a 4xx with a clear message, never a 500 or a stack trace.
 */
import type { Context } from 'hono';
import type { z } from 'zod';
import { apiError, type ApiErrorBody } from '../../../shared/api/errors.ts';

export const DEFAULT_BODY_LIMIT = 1024 * 1024;

export type BodyResult<T> = { ok: true; value: T } | { ok: false; response: Response };

function errorResponse(c: Context, status: 400 | 413 | 415, body: ApiErrorBody): BodyResult<never> {
  return { ok: false, response: c.json(body, status) };
}

/** Reads at most `limit` bytes of the body, stopping as soon as a chunked body goes past it. */
async function readLimited(request: Request, limit: number): Promise<Uint8Array | 'too-large' | 'unreadable'> {
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        await reader.cancel().catch(() => undefined);
        return 'too-large';
      }
      chunks.push(value);
    }
  } catch {
    return 'unreadable';
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/**
 * For endpoints whose body is optional (sign-out, refresh, one-click guest): no body at all reads
 * as `{}`; anything sent must still be JSON that passes the schema.
 */
export async function readOptionalJsonBody<S extends z.ZodType>(c: Context, schema: S, limit = DEFAULT_BODY_LIMIT): Promise<BodyResult<z.output<S>>> {
  const length = c.req.header('content-length');
  const chunked = c.req.header('transfer-encoding') !== undefined;
  if (length === '0' || (length === undefined && !chunked)) {
    const parsed = schema.safeParse({});
    if (parsed.success) return { ok: true, value: parsed.data };
  }
  return readJsonBody(c, schema, limit);
}

export async function readJsonBody<S extends z.ZodType>(c: Context, schema: S, limit = DEFAULT_BODY_LIMIT): Promise<BodyResult<z.output<S>>> {
  const declared = Number(c.req.header('content-length') ?? '0');
  if (declared > limit) return errorResponse(c, 413, apiError('payload_too_large', `the request body is larger than ${limit} bytes`));
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/json\b/i.test(type)) return errorResponse(c, 415, apiError('bad_request', 'send the body as application/json'));
  const read = await readLimited(c.req.raw, limit);
  if (read === 'unreadable') return errorResponse(c, 400, apiError('bad_request', 'the request body could not be read'));
  if (read === 'too-large') return errorResponse(c, 413, apiError('payload_too_large', `the request body is larger than ${limit} bytes`));
  const buffer = read;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buffer);
  } catch {
    return errorResponse(c, 400, apiError('invalid_json', 'the request body is not valid UTF-8'));
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return errorResponse(c, 400, apiError('invalid_json', 'the request body is not valid JSON'));
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 10).map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
    const first = issues[0];
    return errorResponse(c, 400, apiError('validation_failed', first ? `${first.path || 'body'}: ${first.message}` : 'invalid body', issues));
  }
  return { ok: true, value: parsed.data };
}
