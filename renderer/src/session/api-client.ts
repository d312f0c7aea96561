/**
 * The HTTP side of the client: one fetch wrapper that turns Plaza's error shape into an
 * ApiError with a code, a message for people and, for 429, when to retry.
 */
import type { ApiErrorBody, ApiErrorCode } from '../../../shared/api/errors.ts';

export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  readonly code: ApiErrorCode | 'network';
  readonly retryAfterSeconds: number | null;

  constructor(status: number, code: ApiErrorCode | 'network', message: string, retryAfterSeconds: number | null = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  get isNetwork(): boolean {
    return this.code === 'network';
  }
}

export interface RequestOptions {
  readonly token?: string | null;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  readonly signal?: AbortSignal;
}

export class ApiClient {
  readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;
  private readonly clientHeaders: Record<string, string>;

  constructor(baseUrl: string, options: { fetchImpl?: typeof fetch; desktop?: boolean } = {}) {
    this.baseUrl = baseUrl.replace(/\/$/, '');
    this.fetchImpl = options.fetchImpl ?? globalThis.fetch.bind(globalThis);
    this.clientHeaders = options.desktop ? { 'x-plaza-client': 'desktop' } : {};
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.baseUrl}${path}`, {
        method,
        credentials: 'include',
        headers: {
          ...this.clientHeaders,
          ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...options.headers,
        },
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      throw new ApiError(0, 'network', 'The server cannot be reached. Check your connection; Plaza keeps working offline.');
    }
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    let json: unknown = null;
    try {
      json = text ? (JSON.parse(text) as unknown) : null;
    } catch {
      // not JSON: handled below
    }
    if (!response.ok) {
      const body = json as Partial<ApiErrorBody> | null;
      const retryAfter = Number(response.headers.get('retry-after'));
      throw new ApiError(
        response.status,
        body?.error?.code ?? 'internal',
        body?.error?.message ?? `The server answered ${response.status}.`,
        Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null,
      );
    }
    return json as T;
  }
}
