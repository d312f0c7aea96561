/**
 * Accounts and sessions over HTTP: `/api/auth/*` (guest, register, login, refresh, logout,
 * password change and reset), `/api/me` (who am I, export, delete) and `/api/setup` (what
 * visitors see before signing in: the first-run screen, the chess invitation's disconnect grace).
 * The contract and its schemas are in `shared/api/auth.ts`.
 */
import type { Hono } from 'hono';
import { z } from 'zod';
import {
  changePasswordRequestSchema,
  deleteMeRequestSchema,
  guestRequestSchema,
  loginRequestSchema,
  logoutRequestSchema,
  refreshRequestSchema,
  registerRequestSchema,
  resetPasswordRequestSchema,
  type MeResponse,
  type SetupResponse,
} from '../../../shared/api/auth.ts';
import type { ApiErrorCode } from '../../../shared/api/errors.ts';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { tenantAllowsGuests, type AccountProblemCode } from '../auth/accounts.ts';
import { exportUser } from '../auth/export.ts';
import { DEFAULT_TENANT_ID } from '../auth/provisioning.ts';
import type { AccessClaims } from '../auth/tokens.ts';
import {
  authenticate,
  bearerToken,
  clearRefreshCookie,
  clientAddress,
  clientMeta,
  rateLimited,
  refreshCookie,
  sameSiteOnly,
  sendProblem,
  sendSession,
  type AuthHttpDeps,
} from './auth-http.ts';
import { readJsonBody, readOptionalJsonBody } from './body.ts';
import { sendError } from './errors.ts';

export const ACCOUNT_PROBLEM_STATUS: Record<AccountProblemCode, readonly [ContentfulStatusCode, ApiErrorCode]> = {
  'no-tenant': [404, 'not_found'],
  'guests-refused': [403, 'forbidden'],
  'registration-closed': [403, 'forbidden'],
  'email-taken': [409, 'conflict'],
  'weak-password': [400, 'validation_failed'],
  'invite-invalid': [404, 'not_found'],
  'already-account': [409, 'conflict'],
  'tenant-mismatch': [400, 'bad_request'],
  'wrong-credentials': [401, 'unauthorized'],
  'not-member': [403, 'forbidden'],
  'invalid-token': [401, 'unauthorized'],
  'wrong-password': [403, 'forbidden'],
  'no-password': [403, 'forbidden'],
};

const refreshTokenFormat = /^[A-Za-z0-9_-]{16,128}$/;

export function mountAuthApi(app: Hono, deps: AuthHttpDeps): void {
  const { accounts, sessions, limiter, rules } = deps;

  for (const pattern of ['/api/auth/*', '/api/me', '/api/me/*', '/api/setup']) {
    app.use(pattern, sameSiteOnly(deps));
    app.use(pattern, async (c, next) => {
      await next();
      c.header('cache-control', 'no-store');
      c.header('x-content-type-options', 'nosniff');
    });
  }

  app.post('/api/auth/guest', async (c) => {
    const body = await readOptionalJsonBody(c, guestRequestSchema);
    if (!body.ok) return body.response;
    const limit = await limiter.hit(`guest-ip:${clientAddress(c)}`, rules.guest, deps.now());
    if (!limit.allowed) return rateLimited(c, limit.retryAfterMs, 'guest sessions from this address');
    const result = await accounts.guest(body.value.tenant, clientMeta(c, deps));
    if (!result.ok) return sendProblem(c, result.error, ACCOUNT_PROBLEM_STATUS);
    return sendSession(c, deps, result.value, 201);
  });

  app.post('/api/auth/register', async (c) => {
    const body = await readJsonBody(c, registerRequestSchema);
    if (!body.ok) return body.response;
    let guest: AccessClaims | null = null;
    if (bearerToken(c) !== null) {
      const caller = await authenticate(c, deps);
      if (caller instanceof Response) return caller;
      guest = caller.claims;
    }
    const limit = await limiter.hit(`register-ip:${clientAddress(c)}`, rules.register, deps.now());
    if (!limit.allowed) return rateLimited(c, limit.retryAfterMs, 'registrations from this address');
    const byEmail = await limiter.hit(`register-account:${body.value.email.toLowerCase()}`, rules.registerAccount, deps.now());
    if (!byEmail.allowed) return rateLimited(c, byEmail.retryAfterMs, 'registrations for this email address');
    const result = await accounts.register(body.value, guest, clientMeta(c, deps));
    if (!result.ok) return sendProblem(c, result.error, ACCOUNT_PROBLEM_STATUS, 'password');
    return sendSession(c, deps, result.value, 201);
  });

  app.post('/api/auth/login', async (c) => {
    const body = await readJsonBody(c, loginRequestSchema);
    if (!body.ok) return body.response;
    const now = deps.now();
    const byIp = await limiter.hit(`login-ip:${clientAddress(c)}`, rules.loginIp, now);
    if (!byIp.allowed) return rateLimited(c, byIp.retryAfterMs, 'sign-in attempts from this address');
    // Every attempt counts against the account (so parallel guesses cannot slip through); a
    // successful sign-in clears the count. Keyed by email, so unknown emails behave the same.
    const accountKey = `login-account:${body.value.email}`;
    const byAccount = await limiter.hit(accountKey, rules.loginAccount, now);
    if (!byAccount.allowed) return rateLimited(c, byAccount.retryAfterMs, 'failed sign-ins for this account');
    const result = await accounts.login(body.value, clientMeta(c, deps));
    // Anything but a wrong password (e.g. a right one for a tenant they are not in) clears the count.
    if (result.ok || result.error.code !== 'wrong-credentials') await limiter.reset(accountKey);
    if (!result.ok) return sendProblem(c, result.error, ACCOUNT_PROBLEM_STATUS);
    return sendSession(c, deps, result.value, 200);
  });

  app.post('/api/auth/refresh', async (c) => {
    const body = await readOptionalJsonBody(c, refreshRequestSchema);
    if (!body.ok) return body.response;
    const fromCookie = body.value.refreshToken === undefined;
    const presented = body.value.refreshToken ?? refreshCookie(c);
    // No session on this device at all is not an error: the app asks at every start.
    if (presented === undefined) return c.body(null, 204);
    // Per address only: a refresh token is 128 random bits, single use, and a reused one ends its
    // login, so there is nothing to guess per account; this bounds a client stuck in a loop.
    const limit = await limiter.hit(`refresh-ip:${clientAddress(c)}`, rules.refreshIp, deps.now());
    if (!limit.allowed) return rateLimited(c, limit.retryAfterMs, 'session refreshes from this address');
    if (!refreshTokenFormat.test(presented)) {
      if (fromCookie) clearRefreshCookie(c, deps);
      return sendError(c, 401, 'unauthorized', 'the session has ended; sign in again');
    }
    const result = await sessions.refresh(presented);
    if (!result.ok) {
      if (fromCookie) clearRefreshCookie(c, deps);
      return sendError(c, result.error.code === 'not-member' ? 403 : 401, result.error.code === 'not-member' ? 'forbidden' : 'unauthorized', result.error.message);
    }
    return sendSession(c, deps, result.value, 200, { cookieOnly: fromCookie });
  });

  app.post('/api/auth/logout', async (c) => {
    const body = await readOptionalJsonBody(c, logoutRequestSchema);
    if (!body.ok) return body.response;
    let sid: string | null = null;
    const token = bearerToken(c);
    if (token !== null) {
      const verified = await deps.tokens.verify(token, deps.now());
      if (verified.ok) sid = verified.value.session;
    }
    if (sid === null) {
      const presented = body.value.refreshToken ?? refreshCookie(c);
      if (presented !== undefined && refreshTokenFormat.test(presented)) sid = (await sessions.loginOfRefreshToken(presented))?.sid ?? null;
    }
    clearRefreshCookie(c, deps);
    if (sid === null) return sendError(c, 401, 'unauthorized', 'no valid session to sign out of');
    await sessions.revoke(sid);
    return c.body(null, 204);
  });

  app.post('/api/auth/password', async (c) => {
    const body = await readJsonBody(c, changePasswordRequestSchema);
    if (!body.ok) return body.response;
    const caller = await authenticate(c, deps);
    if (caller instanceof Response) return caller;
    const key = `password-check:${caller.user.id}`;
    const limit = await limiter.hit(key, rules.loginAccount, deps.now());
    if (!limit.allowed) return rateLimited(c, limit.retryAfterMs, 'wrong passwords for this account');
    const result = await accounts.changePassword(caller.claims, body.value.currentPassword, body.value.newPassword);
    if (!result.ok) return sendProblem(c, result.error, ACCOUNT_PROBLEM_STATUS, 'newPassword');
    await limiter.reset(key);
    return c.body(null, 204);
  });

  app.post('/api/auth/reset', async (c) => {
    const body = await readJsonBody(c, resetPasswordRequestSchema);
    if (!body.ok) return body.response;
    const limit = await limiter.hit(`reset-ip:${clientAddress(c)}`, rules.loginIp, deps.now());
    if (!limit.allowed) return rateLimited(c, limit.retryAfterMs, 'reset attempts from this address');
    const result = await accounts.resetPassword(body.value.token, body.value.newPassword);
    if (!result.ok) return sendProblem(c, result.error, ACCOUNT_PROBLEM_STATUS, 'newPassword');
    return c.body(null, 204);
  });

  app.get('/api/me', async (c) => {
    const caller = await authenticate(c, deps);
    if (caller instanceof Response) return caller;
    const memberships = await deps.directory.store.membershipsOf(caller.user.id);
    const answer: MeResponse = {
      user: { id: caller.user.id, displayName: caller.user.displayName, email: caller.user.email, kind: caller.user.kind },
      tenant: { id: caller.tenant.id, name: caller.tenant.name },
      role: caller.role,
      memberships: await Promise.all(
        memberships.map(async (membership) => ({
          tenant: { id: membership.tenant, name: (await deps.directory.tenant(membership.tenant))?.name ?? membership.tenant },
          role: membership.role,
        })),
      ),
    };
    return c.json(answer);
  });

  app.get('/api/me/export', async (c) => {
    const caller = await authenticate(c, deps);
    if (caller instanceof Response) return caller;
    const data = await exportUser({ store: deps.store, directory: deps.directory }, caller.user.id, deps.now());
    if (!data) return sendError(c, 404, 'not_found', 'this account no longer exists');
    c.header('content-disposition', `attachment; filename="plaza-export-${caller.user.id}.json"`);
    return c.json(data);
  });

  app.delete('/api/me', async (c) => {
    const body = await readOptionalJsonBody(c, deleteMeRequestSchema);
    if (!body.ok) return body.response;
    const caller = await authenticate(c, deps);
    if (caller instanceof Response) return caller;
    if (caller.user.kind === 'account') {
      if (body.value.password === undefined) return sendError(c, 400, 'validation_failed', 'password: confirm with your password to delete your account', [{ path: 'password', message: 'required for accounts' }]);
      const key = `password-check:${caller.user.id}`;
      const limit = await limiter.hit(key, rules.loginAccount, deps.now());
      if (!limit.allowed) return rateLimited(c, limit.retryAfterMs, 'wrong passwords for this account');
      const checked = await accounts.checkPassword(caller.user.id, body.value.password);
      if (!checked.ok) return sendProblem(c, checked.error, ACCOUNT_PROBLEM_STATUS);
      await limiter.reset(key);
    }
    await accounts.deleteUser(caller.user.id);
    clearRefreshCookie(c, deps);
    return c.body(null, 204);
  });

  app.get('/api/setup', async (c) => {
    const tenant = (await deps.directory.tenant(DEFAULT_TENANT_ID)) ?? (await deps.directory.store.listTenants())[0];
    if (!tenant) return sendError(c, 503, 'unavailable', 'this server has no tenant yet');
    const answer: SetupResponse = {
      tenant: { id: tenant.id, name: tenant.name },
      claimed: await deps.store.auth.hasOwner(tenant.id),
      guestsAllowed: tenantAllowsGuests(tenant),
      chess: { disconnectGraceMs: deps.chessDisconnectGraceMs },
    };
    return c.json(answer);
  });
}

/** Endpoints without a request body still refuse one that is not `{}`. */
export const emptyBodySchema = z.strictObject({});
