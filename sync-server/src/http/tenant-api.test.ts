import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InviteResponse, MembersResponse, SessionResponse, TenantResponse } from '../../../shared/api/auth.ts';
import { CLOSE } from '../../../shared/sync/close-codes.ts';
import type { RunningServer } from '../server.ts';
import { call, createTenantDirectly, guestSession, loginAccount, registerAccount, startAuthServer } from '../test-support/api.ts';
import { rawClient } from '../test-support/harness.ts';

type Account = Awaited<ReturnType<typeof registerAccount>>;

/**
 * Two tenants on one server: `default` (A) and `beta` (B), each with an owner, an admin and a
 * member; `both` is a member of A and an admin of B.
 */
let server: RunningServer;
let ownerA: Account;
let adminA: Account;
let memberA: Account;
let ownerB: Account;
let memberB: Account;
let both: Account;
let bothInB: SessionResponse;

async function promote(owner: Account, tenant: string, user: string, role: 'owner' | 'admin' | 'member') {
  const result = await call(server, 'PUT', `/api/tenants/${tenant}/members/${user}`, { token: owner.accessToken, body: { role } });
  if (result.status !== 200) throw new Error(`promote: ${result.status} ${result.text}`);
}

async function invite(admin: { accessToken: string }, tenant: string, role: 'member' | 'admin' = 'member'): Promise<string> {
  const result = await call<InviteResponse>(server, 'POST', `/api/tenants/${tenant}/invites`, { token: admin.accessToken, body: { role } });
  if (result.status !== 201) throw new Error(`invite: ${result.status} ${result.text}`);
  return result.json.code;
}

beforeAll(async () => {
  server = await startAuthServer();
  ownerA = await registerAccount(server);
  adminA = await registerAccount(server);
  memberA = await registerAccount(server);
  await promote(ownerA, 'default', adminA.user.id, 'admin');
  await createTenantDirectly(server, 'beta', { open: true });
  ownerB = await registerAccount(server, { tenant: 'beta' });
  memberB = await registerAccount(server, { tenant: 'beta' });
  both = await registerAccount(server);
  const code = await invite(ownerB, 'beta', 'admin');
  const accepted = await call<SessionResponse>(server, 'POST', `/api/invites/${code}/accept`, { token: both.accessToken, desktop: true });
  if (accepted.status !== 200) throw new Error(accepted.text);
  bothInB = accepted.json;
});

afterAll(async () => {
  await server.close();
});

describe('tenant isolation over HTTP', () => {
  it('sets up as intended: roles per tenant come from the store', () => {
    expect([ownerA.role, ownerB.role, memberB.role, bothInB.role, bothInB.tenant.id]).toEqual(['owner', 'owner', 'member', 'admin', 'beta']);
  });

  it.each([
    ['list members', 'GET', '/api/tenants/beta/members', undefined],
    ['create an invite', 'POST', '/api/tenants/beta/invites', { role: 'admin' }],
    ['read settings', 'GET', '/api/tenants/beta', undefined],
    ['change settings', 'PATCH', '/api/tenants/beta', { name: 'Taken over' }],
    ['change a role', 'PUT', '/api/tenants/beta/members/MEMBER_B', { role: 'member' }],
    ['remove a member', 'DELETE', '/api/tenants/beta/members/MEMBER_B', undefined],
    ['make a reset link', 'POST', '/api/tenants/beta/members/MEMBER_B/reset-link', undefined],
    ['promote themself in B', 'PUT', '/api/tenants/beta/members/OWNER_A', { role: 'owner' }],
  ])("A's owner cannot %s of B with A's token (403)", async (_name, method, route, body) => {
    const path = route.replace('MEMBER_B', memberB.user.id).replace('OWNER_A', ownerA.user.id);
    const result = await call(server, method, path, { token: ownerA.accessToken, ...(body ? { body } : {}) });
    expect(result.status).toBe(403);
    expect(result.json).toMatchObject({ error: { code: 'forbidden' } });
  });

  it("a tenant that does not exist answers exactly like another tenant's", async () => {
    const real = await call(server, 'GET', '/api/tenants/beta/members', { token: ownerA.accessToken });
    const missing = await call(server, 'GET', '/api/tenants/nowhere/members', { token: ownerA.accessToken });
    expect([missing.status, missing.text]).toEqual([real.status, real.text]);
  });

  it("a member of both tenants needs a session of B for B's paths (A's token is replayed in vain)", async () => {
    expect((await call(server, 'GET', '/api/tenants/beta/members', { token: both.accessToken })).status).toBe(403);
    const withB = await call<MembersResponse>(server, 'GET', '/api/tenants/beta/members', { token: bothInB.accessToken });
    expect(withB.status).toBe(200);
    expect(withB.json.members.map((member) => member.id).sort()).toEqual([ownerB.user.id, memberB.user.id, both.user.id].sort());
    // ...and a B session does not open A's admin paths either (they are a plain member in A).
    expect((await call(server, 'GET', '/api/tenants/default/members', { token: bothInB.accessToken })).status).toBe(403);
  });

  it("B's members cannot be reached through A's paths (a forged user in A's path is not found)", async () => {
    for (const [method, suffix, body] of [
      ['PUT', '', { role: 'admin' }],
      ['DELETE', '', undefined],
      ['POST', '/reset-link', undefined],
    ] as const) {
      const result = await call(server, method, `/api/tenants/default/members/${memberB.user.id}${suffix}`, { token: ownerA.accessToken, ...(body ? { body } : {}) });
      expect([method, suffix, result.status]).toEqual([method, suffix, 404]);
    }
    expect((await call(server, 'GET', '/api/me', { token: memberB.accessToken })).json).toMatchObject({ role: 'member', tenant: { id: 'beta' } });
  });

  it('a forged tenant in a body is refused as an unknown field, never obeyed', async () => {
    for (const [method, route, body] of [
      ['PATCH', '/api/tenants/default', { tenant: 'beta', name: 'Renamed' }],
      ['POST', '/api/tenants/default/invites', { tenant: 'beta', role: 'admin' }],
      ['PUT', `/api/tenants/default/members/${memberA.user.id}`, { tenant: 'beta', role: 'admin' }],
    ] as const) {
      const result = await call(server, method, route, { token: ownerA.accessToken, body });
      expect([route, result.status]).toEqual([route, 400]);
      expect(result.json).toMatchObject({ error: { code: 'validation_failed', message: expect.stringMatching(/tenant|Unrecognized/) } });
    }
    const beta = await call<TenantResponse>(server, 'GET', '/api/tenants/beta', { token: ownerB.accessToken });
    expect(beta.json.tenant.name).toBe('Tenant beta');
    // A guest session asked for B while holding A's guest token stays in A.
    const guest = await guestSession(server);
    const registered = await call(server, 'POST', '/api/auth/register', { token: guest.accessToken, body: { email: 'forger@example.com', password: 'lilac-engine-parade-5', displayName: 'F', tenant: 'beta' } });
    expect(registered.status).toBe(400);
  });

  it('a plain member cannot use any admin endpoint (but may read the tenant settings)', async () => {
    const token = memberA.accessToken;
    const attempts = [
      ['GET', '/api/tenants/default/members', undefined],
      ['POST', '/api/tenants/default/invites', {}],
      ['PATCH', '/api/tenants/default', { taxBps: 0 }],
      ['PUT', `/api/tenants/default/members/${memberA.user.id}`, { role: 'admin' }],
      ['DELETE', `/api/tenants/default/members/${adminA.user.id}`, undefined],
      ['POST', `/api/tenants/default/members/${ownerA.user.id}/reset-link`, undefined],
    ] as const;
    for (const [method, route, body] of attempts) {
      const result = await call(server, method, route, { token, ...(body ? { body } : {}) });
      expect([method, route, result.status]).toEqual([method, route, 403]);
    }
    const settings = await call<TenantResponse>(server, 'GET', '/api/tenants/default', { token });
    expect(settings.status).toBe(200);
    expect(settings.json.tenant).toMatchObject({ id: 'default', policy: { guestsMayBrowse: true, guestsAllowed: true, openRegistration: true } });
    const guest = await guestSession(server);
    expect((await call(server, 'GET', '/api/tenants/default/members', { token: guest.accessToken })).status).toBe(403);
    expect((await call(server, 'GET', '/api/tenants/default', { token: guest.accessToken })).status).toBe(200);
  });

  it('the role comes from the store, not the token: a demoted admin loses admin endpoints at once', async () => {
    const temp = await registerAccount(server);
    await promote(ownerA, 'default', temp.user.id, 'admin');
    const adminSession = await loginAccount(server, temp.email, temp.password);
    expect(adminSession.role).toBe('admin');
    expect((await call(server, 'GET', '/api/tenants/default/members', { token: adminSession.accessToken })).status).toBe(200);
    await promote(ownerA, 'default', temp.user.id, 'member');
    // The token still says admin; the store says member.
    expect((await call(server, 'GET', '/api/tenants/default/members', { token: adminSession.accessToken })).status).toBe(403);
  });

  it('a removed member loses HTTP access at once (403), their logins end and their sockets close', async () => {
    const leaving = await registerAccount(server);
    const socket = rawClient(server, `t/default/u/${leaving.user.id}`, leaving.accessToken);
    await socket.opened;
    expect((await call(server, 'GET', '/api/me', { token: leaving.accessToken })).status).toBe(200);
    expect((await call(server, 'DELETE', `/api/tenants/default/members/${leaving.user.id}`, { token: adminA.accessToken })).status).toBe(204);
    const after = await call(server, 'GET', '/api/tenants/default', { token: leaving.accessToken });
    expect([401, 403]).toContain(after.status);
    expect([CLOSE.unauthorized.code, CLOSE.forbidden.code]).toContain((await socket.closed).code);
    expect((await call(server, 'POST', '/api/auth/refresh', { body: { refreshToken: leaving.refreshToken }, desktop: true })).status).toBe(401);
    // A membership removed behind the API's back (operator) is seen at once too: 403, not the token's word.
    const other = await registerAccount(server);
    await server.directory.setRole('default', other.user.id, null);
    const refused = await call(server, 'GET', '/api/me', { token: other.accessToken });
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({ error: { code: 'forbidden' } });
    // Signing in again gives no session in a tenant they left.
    expect((await call(server, 'POST', '/api/auth/login', { body: { email: other.email, password: other.password, tenant: 'default' } })).status).toBe(403);
  });
});

describe('owners and admins', () => {
  it('admins cannot demote, remove or reset an owner, nor make owners', async () => {
    const token = adminA.accessToken;
    expect((await call(server, 'PUT', `/api/tenants/default/members/${ownerA.user.id}`, { token, body: { role: 'member' } })).status).toBe(403);
    expect((await call(server, 'DELETE', `/api/tenants/default/members/${ownerA.user.id}`, { token })).status).toBe(403);
    expect((await call(server, 'POST', `/api/tenants/default/members/${ownerA.user.id}/reset-link`, { token })).status).toBe(403);
    expect((await call(server, 'PUT', `/api/tenants/default/members/${memberA.user.id}`, { token, body: { role: 'owner' } })).status).toBe(403);
    const members = await call<MembersResponse>(server, 'GET', '/api/tenants/default/members', { token });
    expect(members.json.members.find((member) => member.id === ownerA.user.id)?.role).toBe('owner');
  });

  it('the last owner cannot be demoted or removed, even by themself (409)', async () => {
    const demote = await call(server, 'PUT', `/api/tenants/default/members/${ownerA.user.id}`, { token: ownerA.accessToken, body: { role: 'admin' } });
    expect(demote.status).toBe(409);
    expect(demote.json).toMatchObject({ error: { code: 'conflict', message: expect.stringMatching(/owner/) } });
    expect((await call(server, 'DELETE', `/api/tenants/default/members/${ownerA.user.id}`, { token: ownerA.accessToken })).status).toBe(409);
  });

  it('a reset link is refused for someone who also belongs to another tenant', async () => {
    const result = await call(server, 'POST', `/api/tenants/beta/members/${both.user.id}/reset-link`, { token: ownerB.accessToken });
    expect(result.status).toBe(403);
    expect(result.json).toMatchObject({ error: { message: expect.stringMatching(/another tenant/) } });
    const guest = await guestSession(server);
    expect((await call(server, 'POST', `/api/tenants/default/members/${guest.user.id}/reset-link`, { token: ownerA.accessToken })).status).toBe(403);
    expect((await call(server, 'PUT', `/api/tenants/default/members/${guest.user.id}`, { token: ownerA.accessToken, body: { role: 'member' } })).status).toBe(409);
  });

  it('settings: owners and admins change them, and the change is read back', async () => {
    const patched = await call<TenantResponse>(server, 'PATCH', '/api/tenants/default', { token: adminA.accessToken, body: { taxBps: 825, startingGrant: 5000, name: 'Corner Shop' } });
    expect(patched.status).toBe(200);
    expect(patched.json.tenant).toMatchObject({ name: 'Corner Shop', policy: { taxBps: 825, startingGrant: 5000, currency: 'USD' } });
    expect((await call<TenantResponse>(server, 'GET', '/api/tenants/default', { token: memberA.accessToken })).json.tenant.name).toBe('Corner Shop');
    expect((await call(server, 'PATCH', '/api/tenants/default', { token: adminA.accessToken, body: {} })).status).toBe(400);
    expect((await call(server, 'PATCH', '/api/tenants/default', { token: adminA.accessToken, body: { taxBps: 1.5 } })).status).toBe(400);
    expect((await call(server, 'PATCH', '/api/tenants/default', { token: adminA.accessToken, body: { taxBps: 20_000 } })).status).toBe(400);
  });
});

describe('invites', () => {
  it('an account joins with an invite and gets a session for that tenant; guests must register first', async () => {
    const code = await invite(adminA, 'default');
    const newcomer = await registerAccount(server, { tenant: 'beta' });
    const joined = await call<SessionResponse>(server, 'POST', `/api/invites/${code}/accept`, { token: newcomer.accessToken, desktop: true });
    expect(joined.status).toBe(200);
    expect(joined.json).toMatchObject({ tenant: { id: 'default' }, role: 'member', user: { id: newcomer.user.id } });
    expect(joined.json.refreshToken).toEqual(expect.any(String));
    const guest = await guestSession(server);
    expect((await call(server, 'POST', `/api/invites/${code}/accept`, { token: guest.accessToken })).status).toBe(403);
    expect((await call(server, 'POST', `/api/invites/${'x'.repeat(24)}/accept`, { token: newcomer.accessToken })).status).toBe(404);
    expect((await call(server, 'POST', '/api/invites/short/accept', { token: newcomer.accessToken })).status).toBe(404);
  });

  it('a tenant closed to self-registration takes new accounts only with an invite (and its role)', async () => {
    await createTenantDirectly(server, 'gamma', { open: false });
    expect((await call(server, 'POST', '/api/auth/register', { body: { email: 'closed@example.com', password: 'saffron-kettle-meadow-8', displayName: 'C', tenant: 'gamma' } })).status).toBe(403);
    await server.directory.setRole('gamma', ownerA.user.id, 'owner');
    const gammaOwner = await loginAccount(server, ownerA.email, ownerA.password, 'gamma');
    const code = await invite(gammaOwner, 'gamma', 'admin');
    const joined = await registerAccount(server, { tenant: 'gamma', invite: code, email: 'invited@example.com' });
    expect(joined).toMatchObject({ role: 'admin', tenant: { id: 'gamma' } });
  });

  it('an invite is used up after its number of uses and refused after it expires', async () => {
    const small = await startAuthServer({ inviteMaxUses: 2, inviteTtlMs: 1500 });
    try {
      const owner = await registerAccount(small);
      await createTenantDirectly(small, 'club');
      await small.directory.setRole('club', owner.user.id, 'owner');
      const clubOwner = (await call<SessionResponse>(small, 'POST', '/api/auth/login', { body: { email: owner.email, password: owner.password, tenant: 'club' } })).json;
      const code = (await call<InviteResponse>(small, 'POST', '/api/tenants/club/invites', { token: clubOwner.accessToken })).json;
      expect(code).toMatchObject({ url: `/invite/${code.code}`, role: 'member', maxUses: 2 });
      for (const expected of [200, 200, 404]) {
        const someone = await registerAccount(small);
        expect((await call(small, 'POST', `/api/invites/${code.code}/accept`, { token: someone.accessToken })).status).toBe(expected);
      }
      const late = (await call<InviteResponse>(small, 'POST', '/api/tenants/club/invites', { token: clubOwner.accessToken })).json;
      await new Promise((resolve) => setTimeout(resolve, 1600));
      const someone = await registerAccount(small);
      expect((await call(small, 'POST', `/api/invites/${late.code}/accept`, { token: someone.accessToken })).status).toBe(404);
    } finally {
      await small.close();
    }
  });
});
