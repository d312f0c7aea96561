/**
 * Garbage at every account and tenant endpoint: unknown fields, wrong types, more than 1 MB,
 * invalid UTF-8, non-JSON, the wrong content type, a chunked body that never ends. Each gets a
 * 4xx with the one error shape and a message that says what is wrong, never a 500 or a stack.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.ts';
import { call, GOOD_PASSWORD, registerAccount, startAuthServer } from '../test-support/api.ts';

let server: RunningServer;
let owner: Awaited<ReturnType<typeof registerAccount>>;
let member: Awaited<ReturnType<typeof registerAccount>>;

beforeAll(async () => {
  server = await startAuthServer();
  owner = await registerAccount(server);
  member = await registerAccount(server);
});

afterAll(async () => {
  await server.close();
});

interface Endpoint {
  readonly name: string;
  readonly method: string;
  readonly path: () => string;
  readonly auth: boolean;
  /** A body of the right shape but with wrong types. */
  readonly wrongTypes: unknown;
  /** A valid body plus one unknown field. */
  readonly unknownField: () => unknown;
}

const endpoints: readonly Endpoint[] = [
  { name: 'guest', method: 'POST', path: () => '/api/auth/guest', auth: false, wrongTypes: { tenant: 42 }, unknownField: () => ({ tenant: 'default', admin: true }) },
  {
    name: 'register',
    method: 'POST',
    path: () => '/api/auth/register',
    auth: false,
    wrongTypes: { email: ['a@b.c'], password: 1234567890123, displayName: null },
    unknownField: () => ({ email: 'x1@example.com', password: GOOD_PASSWORD, displayName: 'X', role: 'owner' }),
  },
  { name: 'login', method: 'POST', path: () => '/api/auth/login', auth: false, wrongTypes: { email: true, password: {} }, unknownField: () => ({ email: owner.email, password: owner.password, remember: true }) },
  { name: 'refresh', method: 'POST', path: () => '/api/auth/refresh', auth: false, wrongTypes: { refreshToken: 12 }, unknownField: () => ({ refreshToken: owner.refreshToken, user: owner.user.id }) },
  { name: 'logout', method: 'POST', path: () => '/api/auth/logout', auth: false, wrongTypes: { refreshToken: false }, unknownField: () => ({ everywhere: true }) },
  {
    name: 'password change',
    method: 'POST',
    path: () => '/api/auth/password',
    auth: true,
    wrongTypes: { currentPassword: 1, newPassword: ['x'] },
    unknownField: () => ({ currentPassword: owner.password, newPassword: 'cobalt-fennel-rider-4', user: member.user.id }),
  },
  { name: 'reset', method: 'POST', path: () => '/api/auth/reset', auth: false, wrongTypes: { token: 5, newPassword: 5 }, unknownField: () => ({ token: 'A'.repeat(43), newPassword: 'cobalt-fennel-rider-4', user: 'u' }) },
  { name: 'delete me', method: 'DELETE', path: () => '/api/me', auth: true, wrongTypes: { password: 99 }, unknownField: () => ({ password: owner.password, force: true }) },
  { name: 'tenant settings', method: 'PATCH', path: () => '/api/tenants/default', auth: true, wrongTypes: { taxBps: '10', guestsMayBrowse: 'yes' }, unknownField: () => ({ name: 'X', currency: 'EUR' }) },
  { name: 'invite', method: 'POST', path: () => '/api/tenants/default/invites', auth: true, wrongTypes: { role: 7 }, unknownField: () => ({ role: 'member', maxUses: 1_000_000 }) },
  { name: 'set role', method: 'PUT', path: () => `/api/tenants/default/members/${member.user.id}`, auth: true, wrongTypes: { role: ['admin'] }, unknownField: () => ({ role: 'admin', tenant: 'beta' }) },
  { name: 'remove member', method: 'DELETE', path: () => `/api/tenants/default/members/${member.user.id}`, auth: true, wrongTypes: [], unknownField: () => ({ reason: 'x' }) },
  { name: 'reset link', method: 'POST', path: () => `/api/tenants/default/members/${member.user.id}/reset-link`, auth: true, wrongTypes: 'link', unknownField: () => ({ ttl: 999_999 }) },
  { name: 'accept invite', method: 'POST', path: () => `/api/invites/${'c'.repeat(24)}/accept`, auth: true, wrongTypes: 12, unknownField: () => ({ role: 'owner' }) },
];

const invalidUtf8 = new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d]);
const overOneMegabyte = JSON.stringify({ email: 'a@example.com', padding: 'x'.repeat(1024 * 1024 + 10) });

type Garbage = readonly [kind: string, make: (endpoint: Endpoint) => { body?: unknown; rawBody?: BodyInit; headers?: Record<string, string> }, status: number, code: string, message: RegExp];

const garbage: readonly Garbage[] = [
  ['an unknown field', (endpoint) => ({ body: endpoint.unknownField() }), 400, 'validation_failed', /Unrecognized key/],
  ['wrong types', (endpoint) => ({ body: endpoint.wrongTypes }), 400, 'validation_failed', /.+/],
  ['more than 1 MB', () => ({ rawBody: overOneMegabyte, headers: { 'content-type': 'application/json' } }), 413, 'payload_too_large', /larger than 1048576 bytes/],
  ['invalid UTF-8', () => ({ rawBody: invalidUtf8, headers: { 'content-type': 'application/json' } }), 400, 'invalid_json', /not valid UTF-8/],
  ['not JSON', () => ({ rawBody: '{"email": ', headers: { 'content-type': 'application/json' } }), 400, 'invalid_json', /not valid JSON/],
  ['JSON null', () => ({ rawBody: 'null', headers: { 'content-type': 'application/json' } }), 400, 'validation_failed', /.+/],
  ['a form instead of JSON', () => ({ rawBody: 'email=a%40b.c&password=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, 'bad_request', /application\/json/],
];

const cases = endpoints.flatMap((endpoint) => garbage.map((entry) => [endpoint.name, entry[0], endpoint, entry] as const));

describe('garbage bodies at every account and tenant endpoint', () => {
  it.each(cases)('%s: %s → 4xx with a clear message', async (_name, _kind, endpoint, [, make, status, code, message]) => {
    const request = make(endpoint);
    const result = await call(server, endpoint.method, endpoint.path(), {
      ...(endpoint.auth ? { token: owner.accessToken } : {}),
      ...(request.body !== undefined ? { body: request.body } : {}),
      ...(request.rawBody !== undefined ? { rawBody: request.rawBody } : {}),
      ...(request.headers ? { headers: request.headers } : {}),
    });
    expect(result.status).toBe(status);
    expect(result.json).toEqual({ error: expect.objectContaining({ code, message: expect.stringMatching(message) }) });
    expect(result.text).not.toMatch(/at .*\.ts:\d+|Error:/);
  });

  it('a chunked body that goes past the limit is cut off with 413', async () => {
    const chunk = new TextEncoder().encode(`"${'y'.repeat(64 * 1024)}`);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 1;
        if (sent > 40) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const result = await call(server, 'POST', '/api/auth/login', { rawBody: stream, headers: { 'content-type': 'application/json' } });
    expect(result.status).toBe(413);
    expect(result.json).toMatchObject({ error: { code: 'payload_too_large' } });
  });

  it('after all that garbage the accounts still work and nothing changed', async () => {
    expect((await call(server, 'GET', '/api/me', { token: member.accessToken })).json).toMatchObject({ role: 'member' });
    const login = await call(server, 'POST', '/api/auth/login', { body: { email: owner.email, password: owner.password } });
    expect(login.status).toBe(200);
    expect(await server.store.directory.userByEmail('x1@example.com')).toBeNull();
  });
});
