/**
 * Test helpers for the account and tenant HTTP API: a server with cheap password hashing and
 * relaxed rate limits (tests that check a limit set their own), and small typed callers.
 */
import type { SessionResponse } from '../../../shared/api/auth.ts';
import type { ServerConfigInput } from '../config.ts';
import type { RunningServer } from '../server.ts';
import { startTestServer } from './harness.ts';

export const FAST_AUTH: Partial<ServerConfigInput> = {
  passwordScryptN: 1024,
  passwordScryptR: 8,
  guestRateLimit: 10_000,
  registerRateLimit: 10_000,
  registerAccountRateLimit: 10_000,
  refreshIpRateLimit: 10_000,
  loginIpRateLimit: 10_000,
  loginAccountRateLimit: 10_000,
};

export function startAuthServer(overrides: Partial<ServerConfigInput> = {}): Promise<RunningServer> {
  return startTestServer({ ...FAST_AUTH, ...overrides });
}

export interface CallOptions {
  readonly body?: unknown;
  /** Sent as is (for garbage tests). */
  readonly rawBody?: BodyInit;
  readonly token?: string;
  readonly headers?: Record<string, string>;
  /** Adds `X-Plaza-Client: desktop` (refresh token in the body instead of a cookie). */
  readonly desktop?: boolean;
}

export interface CallResult<T = unknown> {
  readonly status: number;
  readonly json: T;
  readonly headers: Headers;
  readonly text: string;
}

export async function call<T = unknown>(server: RunningServer, method: string, route: string, options: CallOptions = {}): Promise<CallResult<T>> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.body !== undefined) headers['content-type'] ??= 'application/json';
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.desktop) headers['x-plaza-client'] = 'desktop';
  const init: RequestInit & { duplex?: 'half' } = { method, headers };
  if (options.rawBody !== undefined) {
    init.body = options.rawBody;
    if (options.rawBody instanceof ReadableStream) init.duplex = 'half';
  } else if (options.body !== undefined) {
    init.body = JSON.stringify(options.body);
  }
  const response = await fetch(`${server.url}${route}`, init);
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: response.status, json: json as T, headers: response.headers, text };
}

let counter = 0;

/** A password that passes the policy. */
export const GOOD_PASSWORD = 'tangerine-orbit-walrus-42';

export function uniqueEmail(prefix = 'user'): string {
  counter += 1;
  return `${prefix}${counter}.${Date.now().toString(36)}@example.com`;
}

export async function guestSession(server: RunningServer, options: { tenant?: string; desktop?: boolean } = {}): Promise<SessionResponse> {
  const result = await call<SessionResponse>(server, 'POST', '/api/auth/guest', { body: options.tenant ? { tenant: options.tenant } : {}, desktop: options.desktop ?? true });
  if (result.status !== 201) throw new Error(`guest: ${result.status} ${result.text}`);
  return result.json;
}

export async function registerAccount(
  server: RunningServer,
  input: { email?: string; password?: string; displayName?: string; tenant?: string; invite?: string; token?: string } = {},
): Promise<SessionResponse & { email: string; password: string }> {
  const email = input.email ?? uniqueEmail();
  const password = input.password ?? GOOD_PASSWORD;
  const body = { email, password, displayName: input.displayName ?? email.split('@')[0], ...(input.tenant ? { tenant: input.tenant } : {}), ...(input.invite ? { invite: input.invite } : {}) };
  const result = await call<SessionResponse>(server, 'POST', '/api/auth/register', { body, desktop: true, ...(input.token ? { token: input.token } : {}) });
  if (result.status !== 201) throw new Error(`register: ${result.status} ${result.text}`);
  return { ...result.json, email, password };
}

export async function loginAccount(server: RunningServer, email: string, password: string, tenant?: string): Promise<SessionResponse> {
  const result = await call<SessionResponse>(server, 'POST', '/api/auth/login', { body: { email, password, ...(tenant ? { tenant } : {}) }, desktop: true });
  if (result.status !== 200) throw new Error(`login: ${result.status} ${result.text}`);
  return result.json;
}

/** A tenant besides the default one; `open` lets anyone register into it. */
export async function createTenantDirectly(server: RunningServer, id: string, options: { open?: boolean; guestsAllowed?: boolean } = {}): Promise<void> {
  await server.store.directory.createTenant({
    id,
    name: `Tenant ${id}`,
    policy: { guestsMayBrowse: true, taxBps: 0, startingGrant: 100_000, currency: 'USD', openRegistration: options.open ?? false, guestsAllowed: options.guestsAllowed ?? true },
    createdAt: Date.now(),
  });
  server.directory.invalidateTenant(id);
}

/** The `plaza_refresh` cookie value from a response, if it set one. */
export function refreshCookieOf(headers: Headers): string | null {
  for (const cookie of headers.getSetCookie()) {
    const match = /^plaza_refresh=([^;]*)/.exec(cookie);
    if (match) return match[1] ?? null;
  }
  return null;
}
