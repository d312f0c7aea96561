import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { apiError, type ApiErrorCode } from '../../../shared/api/errors.ts';

export function sendError(c: Context, status: ContentfulStatusCode, code: ApiErrorCode, message: string, details?: unknown): Response {
  return c.json(apiError(code, message, details), status);
}
