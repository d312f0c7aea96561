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

export async function readJsonBody<S extends z.ZodType>(c: Context, schema: S, limit = DEFAULT_BODY_LIMIT): Promise<BodyResult<z.output<S>>> {
  const declared = Number(c.req.header('content-length') ?? '0');
  if (declared > limit) return errorResponse(c, 413, apiError('payload_too_large', `the request body is larger than ${limit} bytes`));
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/json\b/i.test(type)) return errorResponse(c, 415, apiError('bad_request', 'send the body as application/json'));
  let buffer: ArrayBuffer;
  try {
    buffer = await c.req.arrayBuffer();
  } catch {
    return errorResponse(c, 400, apiError('bad_request', 'the request body could not be read'));
  }
  if (buffer.byteLength > limit) return errorResponse(c, 413, apiError('payload_too_large', `the request body is larger than ${limit} bytes`));
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
