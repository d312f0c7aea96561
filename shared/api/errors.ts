/**
 * One error shape for every HTTP answer Plaza gives (and the reason text of WebSocket closes):
 * a stable machine code plus a message written for people.
 */
export const API_ERROR_CODES = [
  'bad_request',
  'invalid_json',
  'validation_failed',
  'payload_too_large',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'rate_limited',
  'budget_exhausted',
  'session_halted',
  'kill_switch',
  'upstream_error',
  'unavailable',
  'internal',
] as const;

export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

export interface ApiErrorBody {
  readonly error: {
    readonly code: ApiErrorCode;
    readonly message: string;
    readonly details?: unknown;
  };
}

export function apiError(code: ApiErrorCode, message: string, details?: unknown): ApiErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}
