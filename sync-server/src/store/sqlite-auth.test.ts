import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { temporaryDir } from '../test-support/harness.ts';
import type { LoginRecord, UserRecord } from './directory-types.ts';
import { EmailTakenError } from './directory-types.ts';
import { migrate, schemaVersion, SQLITE_MIGRATIONS } from './sqlite-migrations.ts';
import { SqliteStore } from './sqlite.ts';

const policy = { guestsMayBrowse: true, taxBps: 0, startingGrant: 100_000, currency: 'USD' };
const origin = { kind: 'server', reason: 'test' } as const;

function user(id: string, overrides: Partial<UserRecord> = {}): UserRecord {
  return { id, email: `${id}@example.com`, displayName: id, kind: 'account', passwordHash: 'scrypt$1024$8$1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA', createdAt: 1, lastSeenAt: 1, deletedAt: null, ...overrides };
}

function login(sid: string, userId: string, tenant = 'default'): LoginRecord {
  return { sid, user: userId, tenant, client: 'desktop', userAgent: 'test', createdAt: 1, lastUsedAt: 1, revokedAt: null };
}

async function storeWith(...users: UserRecord[]): Promise<SqliteStore> {
  const store = SqliteStore.open(temporaryDir());
  await store.directory.createTenant({ id: 'default', name: 'Plaza', policy, createdAt: 1 });
  for (const record of users) await store.directory.createUser(record);
  return store;
}

describe('schema version 2 (accounts) and later', () => {
  it('migrates a version-1 database with data to version 2 and keeps every row', async () => {
    const dir = temporaryDir();
    const file = path.join(dir, 'plaza.db');
    const old = new DatabaseSync(file);
    expect(migrate(old, SQLITE_MIGRATIONS.filter((migration) => migration.version === 1))).toBe(1);
    old.prepare('INSERT INTO tenants(id, name, policy, created_at) VALUES (?, ?, ?, ?)').run('default', 'Plaza', JSON.stringify(policy), 5);
    old.prepare('INSERT INTO users(id, email, display_name, kind, password_hash, created_at, last_seen_at, deleted_at) VALUES (?, ?, ?, ?, ?, ?, ?, NULL)').run('u_old', 'old@example.com', 'Old Timer', 'account', null, 6, 7);
    old.prepare('INSERT INTO memberships(tenant, user, role, created_at) VALUES (?, ?, ?, ?)').run('default', 'u_old', 'owner', 8);
    old.prepare('INSERT INTO room_heads(room, seq) VALUES (?, 1)').run('t/default/u/u_old');
    old.prepare('INSERT INTO room_updates(room, seq, data, origin, created_at) VALUES (?, 1, ?, ?, 9)').run('t/default/u/u_old', new Uint8Array([1, 2, 3]), JSON.stringify(origin));
    old.prepare('INSERT INTO decisions(tenant, user, intent_id, kind, status, decision, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run('default', 'u_old', 'i_1', 'test.echo', 'accepted', '{}', 10);
    old.close();

    const store = SqliteStore.open(dir);
    expect(schemaVersion(store.db)).toBe(SQLITE_MIGRATIONS.at(-1)!.version);
    expect(await store.directory.user('u_old')).toMatchObject({ email: 'old@example.com', displayName: 'Old Timer', lastSeenAt: 7 });
    expect(await store.directory.membership('default', 'u_old')).toMatchObject({ role: 'owner', createdAt: 8 });
    expect((await store.rooms.load('t/default/u/u_old')).updates).toEqual([{ seq: 1, data: new Uint8Array([1, 2, 3]) }]);
    expect(await store.intents.decisionsOf('u_old')).toEqual([expect.objectContaining({ intentId: 'i_1', status: 'accepted' })]);
    // The new tables work against the old rows.
    await store.auth.createLogin(login('s_1', 'u_old'), { hash: 'h1', issuedAt: 1, expiresAt: 100 });
    expect(await store.auth.loginsOf('u_old')).toEqual([login('s_1', 'u_old')]);
    expect(await store.auth.hasOwner('default')).toBe(true);
    await store.close();
    // Opening again is a no-op.
    const again = SqliteStore.open(dir);
    expect(schemaVersion(again.db)).toBe(SQLITE_MIGRATIONS.at(-1)!.version);
    expect(await again.auth.login('s_1')).not.toBeNull();
    await again.close();
  });

  it('rotates a refresh token once; a second use revokes the login; expired and unknown are invalid', async () => {
    const store = await storeWith(user('u_a'));
    await store.auth.createLogin(login('s_a', 'u_a'), { hash: 'r0', issuedAt: 1, expiresAt: 1000 });
    expect(await store.auth.rotateRefreshToken('r0', { hash: 'r1', issuedAt: 10, expiresAt: 1000 }, 10)).toMatchObject({ kind: 'rotated', login: { sid: 's_a', lastUsedAt: 10 } });
    expect(await store.auth.rotateRefreshToken('nope', { hash: 'rx', issuedAt: 11, expiresAt: 1000 }, 11)).toEqual({ kind: 'invalid' });
    expect(await store.auth.rotateRefreshToken('r0', { hash: 'r2', issuedAt: 12, expiresAt: 1000 }, 12)).toMatchObject({ kind: 'reused', login: { sid: 's_a', revokedAt: 12 } });
    expect(await store.auth.rotateRefreshToken('r1', { hash: 'r3', issuedAt: 13, expiresAt: 1000 }, 13)).toEqual({ kind: 'invalid' });
    expect((await store.auth.login('s_a'))?.revokedAt).toBe(12);

    await store.auth.createLogin(login('s_b', 'u_a'), { hash: 'old', issuedAt: 1, expiresAt: 50 });
    expect(await store.auth.rotateRefreshToken('old', { hash: 'new', issuedAt: 60, expiresAt: 1000 }, 60)).toEqual({ kind: 'invalid' });
    await store.close();
  });

  it('concurrent rotations of one token: exactly one wins, the other is treated as reuse', async () => {
    const store = await storeWith(user('u_a'));
    await store.auth.createLogin(login('s_a', 'u_a'), { hash: 'r0', issuedAt: 1, expiresAt: 1000 });
    const outcomes = await Promise.all([
      store.auth.rotateRefreshToken('r0', { hash: 'x1', issuedAt: 2, expiresAt: 1000 }, 2),
      store.auth.rotateRefreshToken('r0', { hash: 'x2', issuedAt: 2, expiresAt: 1000 }, 2),
    ]);
    expect(outcomes.map((outcome) => outcome.kind).sort()).toEqual(['reused', 'rotated']);
    await store.close();
  });

  it('the first account of a tenant claims ownership exactly once, even when two race', async () => {
    const store = await storeWith();
    const roles = await Promise.all(
      ['u_1', 'u_2', 'u_3'].map((id) => store.auth.saveAccount({ user: user(id), upgrade: false, tenant: 'default', role: 'member', claimOwner: true, at: 1 })),
    );
    expect(roles.sort()).toEqual(['member', 'member', 'owner']);
    await expect(store.auth.saveAccount({ user: user('u_4', { email: 'U_1@example.com' }), upgrade: false, tenant: 'default', role: 'member', claimOwner: true, at: 1 })).rejects.toThrow(EmailTakenError);
    expect(await store.directory.user('u_4')).toBeNull();
    await store.close();
  });

  it('upgrades a guest in place and keeps a tenant from losing its last owner', async () => {
    const store = await storeWith(user('g_1', { kind: 'guest', email: null, passwordHash: null }), user('u_owner'));
    await store.directory.setMembership('default', 'g_1', 'guest', 1);
    await store.directory.setMembership('default', 'u_owner', 'owner', 1);
    expect(await store.auth.saveAccount({ user: user('g_1', { email: 'g1@example.com' }), upgrade: true, tenant: 'default', role: 'member', claimOwner: true, at: 2 })).toBe('member');
    expect(await store.directory.user('g_1')).toMatchObject({ kind: 'account', email: 'g1@example.com', createdAt: 1 });
    expect(await store.auth.changeRole('default', 'u_owner', 'admin', 3)).toBe('last-owner');
    expect(await store.auth.changeRole('default', 'u_owner', null, 3)).toBe('last-owner');
    expect(await store.auth.changeRole('default', 'nobody', 'admin', 3)).toBe('not-member');
    expect(await store.auth.changeRole('default', 'g_1', 'owner', 3)).toBe('ok');
    expect(await store.auth.changeRole('default', 'u_owner', null, 3)).toBe('ok');
    expect((await store.directory.members('default')).map((member) => [member.user, member.role])).toEqual([['g_1', 'owner']]);
    await store.close();
  });

  it('invites count their uses and expire; reset tokens work once and replace older ones', async () => {
    const store = await storeWith(user('u_a'));
    await store.auth.createInvite({ hash: 'inv', tenant: 'default', role: 'member', createdBy: 'u_a', createdAt: 1, expiresAt: 100, maxUses: 2, uses: 0 });
    expect((await store.auth.useInvite('inv', 10))?.uses).toBe(1);
    expect((await store.auth.useInvite('inv', 10))?.uses).toBe(2);
    expect(await store.auth.useInvite('inv', 10)).toBeNull();
    await store.auth.createInvite({ hash: 'inv2', tenant: 'default', role: 'admin', createdBy: 'u_a', createdAt: 1, expiresAt: 100, maxUses: 2, uses: 0 });
    expect(await store.auth.useInvite('inv2', 100)).toBeNull();

    await store.auth.createResetToken({ hash: 'first', user: 'u_a', createdBy: null, createdAt: 1, expiresAt: 100 });
    await store.auth.createResetToken({ hash: 'second', user: 'u_a', createdBy: null, createdAt: 2, expiresAt: 100 });
    expect(await store.auth.consumeResetToken('first', 10)).toBeNull();
    expect(await store.auth.consumeResetToken('second', 100)).toBeNull();
    expect(await store.auth.consumeResetToken('second', 10)).toBe('u_a');
    expect(await store.auth.consumeResetToken('second', 10)).toBeNull();
    await store.close();
  });

  it('deletes a user in one step and sweeps idle guests and expired rows', async () => {
    const store = await storeWith(user('u_a'), user('g_old', { kind: 'guest', email: null, lastSeenAt: 5 }), user('g_new', { kind: 'guest', email: null, lastSeenAt: 500 }));
    await store.directory.setMembership('default', 'u_a', 'member', 1);
    await store.auth.createLogin(login('s_1', 'u_a'), { hash: 'r1', issuedAt: 1, expiresAt: 1000 });
    await store.auth.createLogin(login('s_2', 'u_a'), { hash: 'r2', issuedAt: 1, expiresAt: 1000 });
    const deleted = await store.auth.deleteUser('u_a', 50);
    expect(deleted.memberships.map((membership) => membership.tenant)).toEqual(['default']);
    expect([...deleted.sessions].sort()).toEqual(['s_1', 's_2']);
    expect(await store.directory.user('u_a')).toMatchObject({ email: null, displayName: 'Deleted user', passwordHash: null, deletedAt: 50 });
    expect(await store.auth.rotateRefreshToken('r1', { hash: 'r9', issuedAt: 60, expiresAt: 1000 }, 60)).toEqual({ kind: 'invalid' });

    expect(await store.auth.idleGuests(100, 10)).toEqual(['g_old']);
    // Revoked logins stay until their access tokens have surely expired, then go with their tokens.
    expect(await store.auth.purgeExpired(60, 40)).toBe(0);
    expect(await store.auth.purgeExpired(60, 51)).toBe(2);
    expect(await store.auth.loginsOf('u_a')).toEqual([]);
    await store.close();
  });
});
