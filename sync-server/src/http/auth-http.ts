/**
 * What the account and tenant routes share: who is calling (access token re-checked against the
 * store on every request), the client's address and kind, how a session is handed out (body for
 * desktop, httpOnly cookie for the web), rate-limit answers, and the mapping of service errors to
 * HTTP statuses.
 */
import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { CLIENT_HEADER, DESKTOP_APP_ORIGIN, DESKTOP_CLIENT, REFRESH_COOKIE, REFRESH_COOKIE_PATH, type SessionResponse } from '../../../shared/api/auth.ts';
import type { ApiErrorCode } from '../../../shared/api/errors.ts';
import type { DomainError } from '../../../shared/domain/result.ts';
import type { Role } from '../../../shared/sync/rooms.ts';
import type { AccountService } from '../auth/accounts.ts';
import type { Directory } from '../auth/directory.ts';
import type { ClientMeta, IssuedSession, SessionService } from '../auth/sessions.ts';
import type { TenantAdmin } from '../auth/tenant-admin.ts';
import type { AccessClaims, TokenService } from '../auth/tokens.ts';
import type { Logger } from '../log.ts';
import type { TenantRecord, UserRecord } from '../store/directory-types.ts';
import type { Store } from '../store/types.ts';
import { sendError } from './errors.ts';
import { addressKey, type RateLimiter, type RateRule } from './rate-limit.ts';

export interface AuthRateRules {
  readonly guest: RateRule;
  readonly register: RateRule;
  /** Registrations per email address: one address cannot be probed or flooded from many IPs. */
  readonly registerAccount: RateRule;
  readonly refreshIp: RateRule;
  readonly loginIp: RateRule;
  readonly loginAccount: RateRule;
}

export interface AuthHttpDeps {
  readonly store: Store;
  readonly directory: Directory;
  readonly tokens: TokenService;
  readonly sessions: SessionService;
  readonly accounts: AccountService;
  readonly tenantAdmin: TenantAdmin;
  readonly limiter: RateLimiter;
  readonly rules: AuthRateRules;
  /** Mark the refresh cookie Secure (the server runs TLS). */
  readonly secureCookies: boolean;
  /** Also accept browser requests from http://localhost:* and http://127.0.0.1:* (development). */
  readonly allowDevOrigins: boolean;
  readonly logger: Logger;
  readonly now: () => number;
  /** The grace a new chess game gets (`/api/setup` tells visitors before they sign in). */
  readonly chessDisconnectGraceMs: number;
}

export interface Authenticated {
  readonly claims: AccessClaims;
  readonly user: UserRecord;
  /** From the store (through the directory's short cache), never from the token. */
  readonly role: Role;
  readonly tenant: TenantRecord;
}

/** Guests' last-seen time is written at most this often by plain API use. */
const LAST_SEEN_EVERY_MS = 60_000;

export function clientAddress(c: Context): string {
  return addressKey((c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket.remoteAddress);
}

/**
 * Where a request comes from, by its Origin header: no header (not a browser: the desktop main
 * process, the CLI, tests), this server's own pages (the web flavour), the desktop renderer
 * (`app://plaza`), a local development server (when allowed), or another site.
 */
export type OriginKind = 'none' | 'self' | 'desktop' | 'dev' | 'foreign';

function isDevOrigin(url: URL): boolean {
  return url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}

export function originKind(c: Context, allowDevOrigins: boolean): OriginKind {
  const origin = c.req.header('origin');
  if (origin === undefined) return 'none';
  if (origin === DESKTOP_APP_ORIGIN) return 'desktop';
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return 'foreign';
  }
  if ((url.protocol === 'http:' || url.protocol === 'https:') && url.host === c.req.header('host')) return 'self';
  if (allowDevOrigins && isDevOrigin(url)) return 'dev';
  return 'foreign';
}

/**
 * Cross-site request forgery guard for every state-changing request: a browser always sends
 * Origin on them, and another site's origin is refused (SameSite=Strict protects the cookie too;
 * this also covers the "simple" empty-body POSTs that skip CORS preflight).
 */
export function sameSiteOnly(deps: Pick<AuthHttpDeps, 'allowDevOrigins'>): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD' && c.req.method !== 'OPTIONS' && originKind(c, deps.allowDevOrigins) === 'foreign') {
      return sendError(c, 403, 'forbidden', 'requests from other sites are refused');
    }
    await next();
    return undefined;
  };
}

/** CORS for the desktop renderer (and local development servers when allowed); never with credentials. */
export function desktopCors(deps: Pick<AuthHttpDeps, 'allowDevOrigins'>): MiddlewareHandler {
  return cors({
    origin: (origin) => {
      if (origin === DESKTOP_APP_ORIGIN) return origin;
      try {
        return deps.allowDevOrigins && isDevOrigin(new URL(origin)) ? origin : null;
      } catch {
        return null;
      }
    },
    allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowHeaders: ['authorization', 'content-type', CLIENT_HEADER],
    exposeHeaders: ['retry-after', 'content-disposition'],
    maxAge: 600,
    credentials: false,
  });
}

/**
 * Desktop clients (`X-Plaza-Client: desktop`) get the refresh token in the body. Pages of the web
 * flavour never do, even if a script there sets the header: their refresh token stays in the
 * httpOnly cookie, out of reach of any script.
 */
export function isDesktop(c: Context, deps: Pick<AuthHttpDeps, 'allowDevOrigins'>): boolean {
  if ((c.req.header(CLIENT_HEADER) ?? '').trim().toLowerCase() !== DESKTOP_CLIENT) return false;
  const kind = originKind(c, deps.allowDevOrigins);
  return kind === 'none' || kind === 'desktop' || kind === 'dev';
}

export function clientMeta(c: Context, deps: Pick<AuthHttpDeps, 'allowDevOrigins'>): ClientMeta {
  return { client: isDesktop(c, deps) ? 'desktop' : 'web', userAgent: c.req.header('user-agent')?.slice(0, 256) ?? null };
}

export function bearerToken(c: Context): string | null {
  const header = c.req.header('authorization');
  if (header === undefined) return null;
  const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header.trim());
  return match?.[1] ?? '';
}

function unauthorized(c: Context, message: string): Response {
  c.header('www-authenticate', 'Bearer realm="plaza"');
  return sendError(c, 401, 'unauthorized', message);
}

/**
 * The caller of an authenticated request: a valid access token (EdDSA, issuer, audience, expiry)
 * whose login is not revoked, of a live user who is still a member of the token's tenant.
 */
export async function authenticate(c: Context, deps: AuthHttpDeps): Promise<Authenticated | Response> {
  const token = bearerToken(c);
  if (token === null) return unauthorized(c, 'sign in first: this needs an access token (Authorization: Bearer …)');
  const now = deps.now();
  const verified = await deps.tokens.verify(token, now);
  if (!verified.ok) return unauthorized(c, verified.error.code === 'expired' ? 'the access token has expired; refresh the session' : 'the access token is not valid; sign in again');
  const claims = verified.value;
  if (!(await deps.sessions.accepts(claims))) return unauthorized(c, 'this sign-in has ended; sign in again');
  const user = await deps.directory.user(claims.user);
  if (!user || user.deletedAt !== null) return unauthorized(c, 'this account no longer exists');
  const role = await deps.directory.role(claims.tenant, claims.user, now);
  const tenant = role === null ? null : await deps.directory.tenant(claims.tenant, now);
  if (role === null || !tenant) return sendError(c, 403, 'forbidden', 'you are not a member of this Plaza any more');
  if (user.kind === 'guest' && now - user.lastSeenAt > LAST_SEEN_EVERY_MS) await deps.directory.store.updateUser(user.id, { lastSeenAt: now });
  return { claims, user, role, tenant };
}

export function refreshCookie(c: Context): string | undefined {
  return getCookie(c, REFRESH_COOKIE);
}

export function sessionBody(session: IssuedSession, includeRefreshToken: boolean): SessionResponse {
  return {
    accessToken: session.accessToken,
    accessTokenExpiresAt: session.accessTokenExpiresAt,
    ...(includeRefreshToken ? { refreshToken: session.refreshToken } : {}),
    refreshTokenExpiresAt: session.refreshTokenExpiresAt,
    sessionId: session.sessionId,
    user: { id: session.user.id, displayName: session.user.displayName, email: session.user.email, kind: session.user.kind },
    tenant: { id: session.tenant.id, name: session.tenant.name },
    role: session.role,
  };
}

/**
 * Desktop: the refresh token in the body. Web: in the httpOnly cookie only. A token that came in
 * as a cookie goes back as a cookie (`cookieOnly`), whatever the headers say.
 */
export function sendSession(c: Context, deps: AuthHttpDeps, session: IssuedSession, status: 200 | 201, options: { readonly cookieOnly?: boolean } = {}): Response {
  const desktop = !options.cookieOnly && isDesktop(c, deps);
  if (!desktop) {
    setCookie(c, REFRESH_COOKIE, session.refreshToken, {
      path: REFRESH_COOKIE_PATH,
      httpOnly: true,
      sameSite: 'Strict',
      secure: deps.secureCookies,
      maxAge: Math.max(1, Math.floor((session.refreshTokenExpiresAt - deps.now()) / 1000)),
    });
  }
  c.header('cache-control', 'no-store');
  return c.json(sessionBody(session, desktop), status);
}

export function clearRefreshCookie(c: Context, deps: AuthHttpDeps): void {
  deleteCookie(c, REFRESH_COOKIE, { path: REFRESH_COOKIE_PATH, httpOnly: true, sameSite: 'Strict', secure: deps.secureCookies });
}

export function rateLimited(c: Context, retryAfterMs: number, what: string): Response {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  c.header('retry-after', String(seconds));
  return sendError(c, 429, 'rate_limited', `too many ${what}; try again in ${seconds} s`);
}

/** Maps a service error code to an HTTP status and API error code; `field` names the body field of a password problem. */
export function sendProblem<Code extends string>(c: Context, problem: DomainError<Code>, table: Record<Code, readonly [ContentfulStatusCode, ApiErrorCode]>, field?: string): Response {
  const [status, code] = table[problem.code];
  if (code === 'validation_failed' && field !== undefined) return sendError(c, status, code, `${field}: ${problem.message}`, [{ path: field, message: problem.message }]);
  return sendError(c, status, code, problem.message);
}
