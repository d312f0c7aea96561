import { generateKeyPair, SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { MeResponse, SessionResponse, SetupResponse } from '../../../shared/api/auth.ts';
import { CLOSE } from '../../../shared/sync/close-codes.ts';
import { AUDIENCE, ISSUER, TokenService } from '../auth/tokens.ts';
import type { RunningServer } from '../server.ts';
import {
  call,
  createTenantDirectly,
  GOOD_PASSWORD,
  guestSession,
  loginAccount,
  refreshCookieOf,
  registerAccount,
  startAuthServer,
  uniqueEmail,
} from '../test-support/api.ts';
import { connectClient, destroyAll, eventually, rawClient, temporaryDir, whenSynced } from '../test-support/harness.ts';

const servers: RunningServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function start(overrides: Parameters<typeof startAuthServer>[0] = {}): Promise<RunningServer> {
  const server = await startAuthServer(overrides);
  servers.push(server);
  return server;
}

const refresh = (server: RunningServer, refreshToken: string) => call<SessionResponse>(server, 'POST', '/api/auth/refresh', { body: { refreshToken }, desktop: true });
const me = (server: RunningServer, token: string) => call<MeResponse>(server, 'GET', '/api/me', { token });

describe('guests', () => {
  it('one click gives a guest session that opens the guest’s own room', async () => {
    const server = await start();
    const session = await guestSession(server);
    expect(session.user).toMatchObject({ kind: 'guest', email: null });
    expect(session.user.displayName).toMatch(/^Guest-\d{4}$/);
    expect(session).toMatchObject({ role: 'guest', tenant: { id: 'default', name: 'Plaza' } });
    expect(session.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(session.accessTokenExpiresAt).toBeGreaterThan(Date.now());

    const client = rawClient(server, `t/default/u/${session.user.id}`, session.accessToken);
    await client.opened;
    await eventually(() => expect(client.messages.length).toBeGreaterThan(0));
    client.ws.close();
    // Someone else's room stays closed to the guest.
    const other = rawClient(server, 't/default/u/someone-else', session.accessToken);
    expect((await other.closed).code).toBe(CLOSE.forbidden.code);
  });

  it('the web flavour gets the refresh token as an httpOnly SameSite=Strict cookie, never in the body', async () => {
    const server = await start();
    const result = await call<SessionResponse>(server, 'POST', '/api/auth/guest');
    expect(result.status).toBe(201);
    expect(result.json.refreshToken).toBeUndefined();
    const cookie = result.headers.getSetCookie().find((value) => value.startsWith('plaza_refresh='));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\/api\/auth/);
    expect(cookie).not.toMatch(/Secure/);
    expect(result.headers.get('cache-control')).toBe('no-store');

    const refreshed = await call<SessionResponse>(server, 'POST', '/api/auth/refresh', { headers: { cookie: `plaza_refresh=${refreshCookieOf(result.headers)}` } });
    expect(refreshed.status).toBe(200);
    expect(refreshed.json.refreshToken).toBeUndefined();
    expect(refreshCookieOf(refreshed.headers)).not.toBe(refreshCookieOf(result.headers));
    // A cookie sent from another site's page is refused even if SameSite were bypassed.
    const crossSite = await call(server, 'POST', '/api/auth/refresh', { headers: { cookie: `plaza_refresh=${refreshCookieOf(refreshed.headers)}`, origin: 'https://evil.example' } });
    expect(crossSite.status).toBe(403);
  });

  it('pages of the web flavour never get a refresh token in the body, even when they ask like the desktop app', async () => {
    const server = await start();
    const fromPage = await call<SessionResponse>(server, 'POST', '/api/auth/guest', { desktop: true, headers: { origin: server.url } });
    expect(fromPage.status).toBe(201);
    expect(fromPage.json.refreshToken).toBeUndefined();
    const cookie = refreshCookieOf(fromPage.headers);
    expect(cookie).toEqual(expect.any(String));
    // A refresh token that came as a cookie goes back as a cookie only.
    const refreshed = await call<SessionResponse>(server, 'POST', '/api/auth/refresh', { desktop: true, headers: { cookie: `plaza_refresh=${cookie}` } });
    expect(refreshed.status).toBe(200);
    expect(refreshed.json.refreshToken).toBeUndefined();
    // The desktop renderer (app://plaza) and non-browser clients do get it.
    const fromApp = await call<SessionResponse>(server, 'POST', '/api/auth/guest', { desktop: true, headers: { origin: 'app://plaza' } });
    expect(fromApp.json.refreshToken).toEqual(expect.any(String));
  });

  it('refuses state-changing requests from other sites, and answers CORS for the desktop app only', async () => {
    const server = await start();
    for (const origin of ['https://evil.example', 'null', 'http://localhost:5173']) {
      const forged = await call(server, 'POST', '/api/auth/guest', { headers: { origin } });
      expect([origin, forged.status]).toEqual([origin, 403]);
    }
    const preflight = await fetch(`${server.url}/api/auth/login`, {
      method: 'OPTIONS',
      headers: { origin: 'app://plaza', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-plaza-client' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('app://plaza');
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/x-plaza-client/);
    expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();
    const foreign = await fetch(`${server.url}/api/auth/login`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    const dev = await startAuthServer({ allowDevOrigins: true });
    servers.push(dev);
    expect((await call(dev, 'POST', '/api/auth/guest', { headers: { origin: 'http://localhost:5173' } })).status).toBe(201);
  });

  it('is rate-limited per address with Retry-After', async () => {
    const server = await start({ guestRateLimit: 3, guestRateWindowMs: 60_000 });
    for (let index = 0; index < 3; index += 1) await guestSession(server);
    const refused = await call(server, 'POST', '/api/auth/guest', { body: {} });
    expect(refused.status).toBe(429);
    expect(refused.json).toMatchObject({ error: { code: 'rate_limited' } });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
  });

  it('a tenant that takes no guests refuses them; an unknown tenant is 404', async () => {
    const server = await start();
    await createTenantDirectly(server, 'members-only', { guestsAllowed: false });
    const refused = await call(server, 'POST', '/api/auth/guest', { body: { tenant: 'members-only' } });
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({ error: { code: 'forbidden' } });
    expect((await call(server, 'POST', '/api/auth/guest', { body: { tenant: 'nowhere' } })).status).toBe(404);
  });

  it('a guest who registers keeps the same user id (and everything in their rooms)', async () => {
    const server = await start();
    await registerAccount(server); // the owner, so the guest becomes a plain member
    const guest = await guestSession(server);
    const { doc, provider } = connectClient(server, `t/default/u/${guest.user.id}`, guest.accessToken);
    await whenSynced(provider);
    doc.getMap('cart').set('p1', 2);
    await eventually(async () => expect((await server.store.rooms.load(`t/default/u/${guest.user.id}`)).updates.length).toBeGreaterThan(0));
    destroyAll(provider);

    const account = await registerAccount(server, { token: guest.accessToken, displayName: 'Former Guest' });
    expect(account.user).toMatchObject({ id: guest.user.id, kind: 'account', displayName: 'Former Guest' });
    expect(account.role).toBe('member');
    // The guest's own login has ended; the account's works.
    expect((await refresh(server, guest.refreshToken!)).status).toBe(401);
    const again = connectClient(server, `t/default/u/${guest.user.id}`, account.accessToken);
    await whenSynced(again.provider);
    expect(again.doc.getMap('cart').get('p1')).toBe(2);
    destroyAll(again.provider);
    expect((await loginAccount(server, account.email, account.password)).user.id).toBe(guest.user.id);
  });
});

describe('accounts', () => {
  it('the first account owns the default tenant, the second is a member; /api/setup tells the first-run screen', async () => {
    const server = await start();
    expect((await call<SetupResponse>(server, 'GET', '/api/setup')).json).toEqual({ tenant: { id: 'default', name: 'Plaza' }, claimed: false, guestsAllowed: true, chess: { disconnectGraceMs: 30_000 } });
    const first = await registerAccount(server);
    expect(first.role).toBe('owner');
    expect((await call<SetupResponse>(server, 'GET', '/api/setup')).json.claimed).toBe(true);
    const second = await registerAccount(server);
    expect(second.role).toBe('member');
    expect(second.user.kind).toBe('account');
    // The chess invitation tells a visitor this server's grace before they sign in.
    const patient = await start({ chessDisconnectGraceMs: 45_000 });
    expect((await call<SetupResponse>(patient, 'GET', '/api/setup')).json.chess).toEqual({ disconnectGraceMs: 45_000 });
  });

  it('registers, signs in and signs out; a signed-out login cannot refresh or call the API', async () => {
    const server = await start();
    const email = uniqueEmail('Alice');
    const account = await registerAccount(server, { email: `  ${email.toUpperCase()} ` });
    expect(account.user.email).toBe(email.toLowerCase());
    const duplicate = await call(server, 'POST', '/api/auth/register', { body: { email, password: GOOD_PASSWORD, displayName: 'Copy' } });
    expect(duplicate.status).toBe(409);
    expect(duplicate.json).toMatchObject({ error: { code: 'conflict', message: expect.stringMatching(/exists/) } });

    const session = await loginAccount(server, email.toUpperCase(), GOOD_PASSWORD);
    expect(session.user.id).toBe(account.user.id);
    expect(session.sessionId).not.toBe(account.sessionId);
    expect((await me(server, session.accessToken)).json).toMatchObject({ user: { id: account.user.id }, role: 'owner', memberships: [{ tenant: { id: 'default' }, role: 'owner' }] });

    expect((await call(server, 'POST', '/api/auth/logout', { token: session.accessToken })).status).toBe(204);
    expect((await refresh(server, session.refreshToken!)).status).toBe(401);
    expect((await me(server, session.accessToken)).status).toBe(401);
    // Nor spend on the AI assistant with its still-unexpired access token.
    const chat = await call(server, 'POST', '/v1/chat/completions', { token: session.accessToken, body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] } });
    expect(chat.status).toBe(401);
    expect(chat.json).toMatchObject({ error: { message: expect.stringMatching(/sign-in has ended/) } });
    // The other login is untouched.
    expect((await me(server, account.accessToken)).status).toBe(200);
    // Signing out with only the refresh token works too.
    expect((await call(server, 'POST', '/api/auth/logout', { body: { refreshToken: account.refreshToken } })).status).toBe(204);
    expect((await me(server, account.accessToken)).status).toBe(401);
    expect((await call(server, 'POST', '/api/auth/logout', {})).status).toBe(401);
  });

  it('a wrong password and an unknown email get the same status and body', async () => {
    const server = await start();
    const account = await registerAccount(server);
    const wrongPassword = await call(server, 'POST', '/api/auth/login', { body: { email: account.email, password: 'not-the-password-1' } });
    const unknownEmail = await call(server, 'POST', '/api/auth/login', { body: { email: uniqueEmail('nobody'), password: 'not-the-password-1' } });
    expect(wrongPassword.status).toBe(401);
    expect(unknownEmail.status).toBe(401);
    expect(unknownEmail.text).toBe(wrongPassword.text);
    expect(wrongPassword.json).toEqual({ error: { code: 'unauthorized', message: 'email or password is wrong' } });
  });

  it('limits failed sign-ins per account (even the right password then waits), with Retry-After', async () => {
    const server = await start({ loginAccountRateLimit: 3, loginAccountRateWindowMs: 60_000 });
    const victim = await registerAccount(server);
    const bystander = await registerAccount(server);
    for (let index = 0; index < 3; index += 1) {
      expect((await call(server, 'POST', '/api/auth/login', { body: { email: victim.email, password: `guess-number-${index}` } })).status).toBe(401);
    }
    const blocked = await call(server, 'POST', '/api/auth/login', { body: { email: victim.email, password: victim.password } });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    // Unknown emails are limited the same way (nothing tells them apart).
    const ghost = uniqueEmail('ghost');
    for (let index = 0; index < 3; index += 1) await call(server, 'POST', '/api/auth/login', { body: { email: ghost, password: `guess-number-${index}` } });
    expect((await call(server, 'POST', '/api/auth/login', { body: { email: ghost, password: 'guess-number-9' } })).status).toBe(429);
    // Other accounts are not affected.
    expect((await loginAccount(server, bystander.email, bystander.password)).user.id).toBe(bystander.user.id);
  });

  it('limits sign-in attempts per address across accounts', async () => {
    const server = await start({ loginIpRateLimit: 5, loginIpRateWindowMs: 60_000 });
    for (let index = 0; index < 5; index += 1) {
      expect((await call(server, 'POST', '/api/auth/login', { body: { email: uniqueEmail('spray'), password: 'spray-password-1' } })).status).toBe(401);
    }
    const blocked = await call(server, 'POST', '/api/auth/login', { body: { email: uniqueEmail('spray'), password: 'spray-password-1' } });
    expect(blocked.status).toBe(429);
    expect(blocked.json).toMatchObject({ error: { code: 'rate_limited' } });
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('limits registrations per email address across addresses, with Retry-After', async () => {
    const server = await start({ registerAccountRateLimit: 2, registerAccountRateWindowMs: 60_000 });
    const taken = await registerAccount(server);
    // The registration itself was the first attempt for that address; a second is answered, the third waits.
    const again = await call(server, 'POST', '/api/auth/register', { body: { email: taken.email, password: 'another-fine-passphrase', displayName: 'Probe' } });
    expect(again.status).toBe(409);
    const blocked = await call(server, 'POST', '/api/auth/register', { body: { email: taken.email, password: 'another-fine-passphrase', displayName: 'Probe' } });
    expect(blocked.status).toBe(429);
    expect(blocked.json).toMatchObject({ error: { code: 'rate_limited' } });
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another email address still registers.
    expect((await registerAccount(server)).role).toBe('member');
  });

  it('limits refreshes per address, with Retry-After', async () => {
    const server = await start({ refreshIpRateLimit: 3, refreshIpRateWindowMs: 2_000 });
    let { refreshToken } = await registerAccount(server);
    for (let index = 0; index < 3; index += 1) {
      const next = await call<SessionResponse>(server, 'POST', '/api/auth/refresh', { body: { refreshToken }, desktop: true });
      expect(next.status).toBe(200);
      refreshToken = next.json.refreshToken!;
    }
    const blocked = await call(server, 'POST', '/api/auth/refresh', { body: { refreshToken }, desktop: true });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    // Refused before the token was looked at: it was not used up (a reuse would end the login),
    // so it works once the window allows again.
    await eventually(async () => expect((await call(server, 'POST', '/api/auth/refresh', { body: { refreshToken }, desktop: true })).status).toBe(200), 10_000, 250);
  });

  it('refresh rotates; a reused refresh token ends the whole login and closes its sockets (4401)', async () => {
    const server = await start();
    const account = await registerAccount(server);
    const first = await refresh(server, account.refreshToken!);
    expect(first.status).toBe(200);
    expect(first.json.sessionId).toBe(account.sessionId);
    expect(first.json.refreshToken).not.toBe(account.refreshToken);
    const second = await refresh(server, first.json.refreshToken!);
    expect(second.status).toBe(200);
    // The rotated-away token fails from now on.
    const socket = rawClient(server, `t/default/u/${account.user.id}`, second.json.accessToken);
    await socket.opened;

    const replay = await refresh(server, account.refreshToken!);
    expect(replay.status).toBe(401);
    // Reuse revoked the login: the newest refresh token is dead, the socket is closed, the access token refused.
    expect((await refresh(server, second.json.refreshToken!)).status).toBe(401);
    expect((await socket.closed).code).toBe(CLOSE.unauthorized.code);
    expect((await me(server, second.json.accessToken)).status).toBe(401);
    // Other logins of the same user live on.
    const other = await loginAccount(server, account.email, account.password);
    expect((await refresh(server, other.refreshToken!)).status).toBe(200);
  });

  it('refresh answers 401 for unknown, expired or malformed tokens, 204 when there is none', async () => {
    const server = await start({ refreshTokenTtlMs: 300 });
    const account = await registerAccount(server);
    expect((await refresh(server, 'A'.repeat(43))).status).toBe(401);
    expect((await call(server, 'POST', '/api/auth/refresh', { headers: { cookie: 'plaza_refresh=not a token' } })).status).toBe(401);
    // No token at all: no session on this device, which is not an error.
    expect((await call(server, 'POST', '/api/auth/refresh', {})).status).toBe(204);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await refresh(server, account.refreshToken!)).status).toBe(401);
  });

  it('refuses tampered, expired, foreign-key and alg:none access tokens with 401', async () => {
    const server = await start();
    const account = await registerAccount(server);
    const [header, payload, signature] = account.accessToken.split('.') as [string, string, string];
    const flipped = `${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const promoted = Buffer.from(JSON.stringify({ ...claims, role: 'owner', tid: 'other' })).toString('base64url');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
    const expired = (await server.tokens.issue({ user: account.user.id, tenant: 'default', role: 'owner', name: 'x', session: account.sessionId, kind: 'account' }, 30, Date.now() - 3_600_000)).token;
    const foreign = await TokenService.fromDataDir(temporaryDir());
    const foreignToken = (await foreign.issue({ user: account.user.id, tenant: 'default', role: 'owner', name: 'x', session: account.sessionId, kind: 'account' }, 600)).token;
    const { privateKey } = await generateKeyPair('ES256');
    const otherAlg = await new SignJWT({ tid: 'default', role: 'owner', name: 'x', sid: account.sessionId, kind: 'account' })
      .setProtectedHeader({ alg: 'ES256' })
      .setSubject(account.user.id)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(privateKey);
    const cases: Array<[string, string]> = [
      ['tampered signature', `${header}.${payload}.${flipped}`],
      ['tampered claims', `${header}.${promoted}.${signature}`],
      ['alg none', none],
      ['expired', expired],
      ['another server’s key', foreignToken],
      ['another algorithm', otherAlg],
      ['garbage', 'not.a.jwt'],
    ];
    for (const [name, token] of cases) {
      const result = await me(server, token);
      expect([name, result.status]).toEqual([name, 401]);
      expect(result.json).toMatchObject({ error: { code: 'unauthorized' } });
    }
    expect((await call(server, 'GET', '/api/me', { headers: { authorization: 'Basic abc' } })).status).toBe(401);
    expect((await call(server, 'GET', '/api/me')).status).toBe(401);
    expect((await me(server, account.accessToken)).status).toBe(200);
  });
});

describe('passwords', () => {
  it.each([
    ['too short', 'short-pw9', /at least 10/],
    ['too long', `${'x'.repeat(251)}-y1234`, /at most 256/],
    ['common', 'password123', /most common/],
    ['common with digits and symbols around', 'Password2024!', /most common/],
    ['common in l33t', 'P@ssw0rd2024', /most common/],
    ['keyboard run', 'qwertyuiop', /most common|run/],
    ['repeated', 'abababababab', /too few|most common/],
    ['the email itself', 'EMAIL', /email|name/],
  ])('refuses a new password that is %s', async (_name, password, message) => {
    const server = await start();
    const email = uniqueEmail('rules');
    const result = await call(server, 'POST', '/api/auth/register', { body: { email, password: password === 'EMAIL' ? email : password, displayName: 'Rules' } });
    expect(result.status).toBe(400);
    expect(result.json).toMatchObject({ error: { code: 'validation_failed', message: expect.stringMatching(message) } });
    expect(await server.store.directory.userByEmail(email)).toBeNull();
  });

  it('changes the password: the current one is checked, other logins end, this one stays', async () => {
    const server = await start();
    const account = await registerAccount(server);
    const elsewhere = await loginAccount(server, account.email, account.password);
    const newPassword = 'violet-harbour-lantern-7';
    expect((await call(server, 'POST', '/api/auth/password', { token: account.accessToken, body: { currentPassword: 'wrong-password-1', newPassword } })).status).toBe(403);
    const weak = await call(server, 'POST', '/api/auth/password', { token: account.accessToken, body: { currentPassword: account.password, newPassword: 'iloveyou123' } });
    expect(weak.status).toBe(400);
    expect(weak.json).toMatchObject({ error: { code: 'validation_failed', message: expect.stringMatching(/^newPassword: /) } });
    expect((await call(server, 'POST', '/api/auth/password', { token: account.accessToken, body: { currentPassword: account.password, newPassword } })).status).toBe(204);
    expect((await me(server, account.accessToken)).status).toBe(200);
    expect((await refresh(server, account.refreshToken!)).status).toBe(200);
    expect((await me(server, elsewhere.accessToken)).status).toBe(401);
    expect((await refresh(server, elsewhere.refreshToken!)).status).toBe(401);
    expect((await call(server, 'POST', '/api/auth/login', { body: { email: account.email, password: account.password } })).status).toBe(401);
    expect((await loginAccount(server, account.email, newPassword)).user.id).toBe(account.user.id);
    const guest = await guestSession(server);
    expect((await call(server, 'POST', '/api/auth/password', { token: guest.accessToken, body: { currentPassword: 'anything-at-all', newPassword } })).status).toBe(403);
  });

  it('an admin’s reset link works once and ends every login of that user', async () => {
    const server = await start();
    const owner = await registerAccount(server);
    const member = await registerAccount(server);
    const link = await call<{ url: string; expiresAt: number }>(server, 'POST', `/api/tenants/default/members/${member.user.id}/reset-link`, { token: owner.accessToken });
    expect(link.status).toBe(201);
    expect(link.json.url).toMatch(/^\/reset\/[A-Za-z0-9_-]{43}$/);
    expect(link.json.expiresAt - Date.now()).toBeGreaterThan(59 * 60_000);
    expect(link.json.expiresAt - Date.now()).toBeLessThanOrEqual(60 * 60_000);
    const token = link.json.url.slice('/reset/'.length);
    const newPassword = 'marble-cactus-horizon-3';
    // A weak password does not use the link up.
    expect((await call(server, 'POST', '/api/auth/reset', { body: { token, newPassword: 'password1234' } })).status).toBe(400);
    expect((await call(server, 'POST', '/api/auth/reset', { body: { token, newPassword } })).status).toBe(204);
    const again = await call(server, 'POST', '/api/auth/reset', { body: { token, newPassword: 'another-fresh-phrase-9' } });
    expect(again.status).toBe(401);
    expect(again.json).toMatchObject({ error: { code: 'unauthorized', message: expect.stringMatching(/invalid, used or expired/) } });
    expect((await refresh(server, member.refreshToken!)).status).toBe(401);
    expect((await call(server, 'POST', '/api/auth/login', { body: { email: member.email, password: member.password } })).status).toBe(401);
    expect((await loginAccount(server, member.email, newPassword)).user.id).toBe(member.user.id);
  });

  it('re-hashes a password made with other scrypt parameters at the next sign-in', async () => {
    const server = await start({ passwordScryptN: 2048 });
    const account = await registerAccount(server);
    const old = 'scrypt$1024$8$1$';
    const { PasswordHasher } = await import('../auth/passwords.ts');
    const weaker = await new PasswordHasher({ N: 1024, r: 8, p: 1, keyLength: 32 }).hash(account.password);
    await server.store.directory.updateUser(account.user.id, { passwordHash: weaker });
    await loginAccount(server, account.email, account.password);
    const stored = (await server.store.directory.user(account.user.id))!.passwordHash!;
    expect(stored.startsWith(old)).toBe(false);
    expect(stored).toMatch(/^scrypt\$2048\$8\$1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
  });
});

describe('my data', () => {
  it('exports the user’s own rooms, memberships and decisions, without any password hash', async () => {
    const server = await start();
    const account = await registerAccount(server, { displayName: 'Exporter' });
    const other = await registerAccount(server);
    const mine = connectClient(server, `t/default/u/${account.user.id}`, account.accessToken);
    const theirs = connectClient(server, `t/default/u/${other.user.id}`, other.accessToken);
    await Promise.all([whenSynced(mine.provider), whenSynced(theirs.provider)]);
    mine.doc.getMap('settings').set('theme', 'dark');
    mine.doc.getArray('drafts').push(['hello']);
    theirs.doc.getMap('settings').set('theme', 'secret-of-someone-else');
    await eventually(async () => expect((await server.store.rooms.load(`t/default/u/${account.user.id}`)).updates.length).toBeGreaterThanOrEqual(2));
    await eventually(async () => expect((await server.store.rooms.load(`t/default/u/${other.user.id}`)).updates.length).toBeGreaterThanOrEqual(1));
    destroyAll(mine.provider, theirs.provider);
    await server.store.intents.commit({
      updates: [],
      decisions: [{ tenant: 'default', user: account.user.id, intentId: 'i_export_1', kind: 'test.echo', status: 'accepted', decision: '{"ok":true}', decidedAt: 1 }],
      consumed: [],
      deadlinesSet: [],
      deadlinesCleared: [],
      ledger: [],
    });

    const result = await call<Record<string, unknown>>(server, 'GET', '/api/me/export', { token: account.accessToken });
    expect(result.status).toBe(200);
    expect(result.headers.get('content-disposition')).toMatch(/^attachment; filename="plaza-export-/);
    expect(result.json).toMatchObject({
      format: 'plaza-export',
      user: { id: account.user.id, displayName: 'Exporter', email: account.email, kind: 'account' },
      memberships: [{ tenant: { id: 'default', name: 'Plaza' }, role: 'owner' }],
      rooms: { [`t/default/u/${account.user.id}`]: { settings: { theme: 'dark' }, drafts: ['hello'] } },
      decisions: [{ tenant: 'default', intentId: 'i_export_1', status: 'accepted', decision: { ok: true } }],
    });
    expect(Object.keys(result.json.rooms as object)).toEqual([`t/default/u/${account.user.id}`]);
    expect(result.text).not.toMatch(/scrypt\$|passwordHash|password_hash/);
    expect(result.text).not.toContain('secret-of-someone-else');
    expect(result.text).not.toContain(account.refreshToken!);
  });

  it('deleting an account needs its password, then removes access everywhere and anonymizes it', async () => {
    const server = await start();
    const account = await registerAccount(server);
    const socket = rawClient(server, `t/default/u/${account.user.id}`, account.accessToken);
    await socket.opened;
    expect((await call(server, 'DELETE', '/api/me', { token: account.accessToken })).status).toBe(400);
    expect((await call(server, 'DELETE', '/api/me', { token: account.accessToken, body: { password: 'not-my-password' } })).status).toBe(403);
    expect((await call(server, 'DELETE', '/api/me', { token: account.accessToken, body: { password: account.password } })).status).toBe(204);

    expect([CLOSE.unauthorized.code, CLOSE.forbidden.code]).toContain((await socket.closed).code);
    expect((await me(server, account.accessToken)).status).toBe(401);
    expect((await refresh(server, account.refreshToken!)).status).toBe(401);
    expect((await call(server, 'POST', '/api/auth/login', { body: { email: account.email, password: account.password } })).status).toBe(401);
    const stored = await server.store.directory.user(account.user.id);
    expect(stored).toMatchObject({ email: null, displayName: 'Deleted user', passwordHash: null });
    expect(stored?.deletedAt).toEqual(expect.any(Number));
    expect(await server.store.directory.membershipsOf(account.user.id)).toEqual([]);
    // The email is free again.
    expect((await registerAccount(server, { email: account.email })).user.id).not.toBe(account.user.id);
  });

  it('a guest deletes itself without a password', async () => {
    const server = await start();
    const guest = await guestSession(server);
    expect((await call(server, 'DELETE', '/api/me', { token: guest.accessToken })).status).toBe(204);
    expect((await me(server, guest.accessToken)).status).toBe(401);
  });
});

describe('idle guests', () => {
  it('are deleted after the configured idle time, their logins revoked and sockets closed', async () => {
    const server = await start({ guestIdleExpiryMs: 600, authSweepEveryMs: 100, silentTimeoutMs: 60_000 });
    const idle = await guestSession(server);
    const socket = rawClient(server, `t/default/u/${idle.user.id}`, idle.accessToken);
    await socket.opened;
    const account = await registerAccount(server);
    await eventually(async () => expect((await server.store.directory.user(idle.user.id))?.deletedAt).toEqual(expect.any(Number)), 5000);
    expect([CLOSE.unauthorized.code, CLOSE.forbidden.code]).toContain((await socket.closed).code);
    expect((await refresh(server, idle.refreshToken!)).status).toBe(401);
    expect((await me(server, idle.accessToken)).status).toBe(401);
    // Accounts are never swept.
    expect((await server.store.directory.user(account.user.id))?.deletedAt).toBeNull();
  });

  it('a guest that keeps refreshing stays', async () => {
    const server = await start({ guestIdleExpiryMs: 700, authSweepEveryMs: 100 });
    let session = await guestSession(server);
    for (let round = 0; round < 6; round += 1) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const refreshed = await refresh(server, session.refreshToken!);
      expect(refreshed.status).toBe(200);
      session = refreshed.json;
    }
    expect((await server.store.directory.user(session.user.id))?.deletedAt).toBeNull();
  });
});

describe('export decoding', () => {
  it('Y.Doc helpers used by the export decode arrays and maps', async () => {
    const { roomToJson } = await import('../auth/export.ts');
    const doc = new Y.Doc();
    doc.getMap('m').set('a', 1);
    doc.getArray('list').push([1, 2]);
    expect(roomToJson([Y.encodeStateAsUpdate(doc)])).toEqual({ m: { a: 1 }, list: [1, 2] });
    expect(roomToJson([])).toEqual({});
  });
});
