/**
 * The store contract, run against both adapters: the embedded SQLite store and Postgres (a real
 * server on 127.0.0.1, a fresh database per test). What one guarantees, the other must too.
 */
import { describe, expect, it } from 'vitest';
import { PRODUCT_LIMITS } from '../../../shared/domain/commerce/product.ts';
import { png } from '../../../shared/domain/commerce/test-support/images.ts';
import { blobHash } from './blob-files.ts';
import type { LoginRecord, UserRecord } from './directory-types.ts';
import { EmailTakenError } from './directory-types.ts';
import { openTestStore, STORE_KINDS } from '../test-support/stores.ts';
import { AlreadyDecidedError, DeadlineGoneError, FencedError, type DecisionCommit, type Store } from './types.ts';

const policy = { guestsMayBrowse: true, taxBps: 0, startingGrant: 100_000, currency: 'USD' };
const origin = { kind: 'server', reason: 'test' } as const;
const empty: DecisionCommit = { updates: [], decisions: [], consumed: [], deadlinesSet: [], deadlinesCleared: [], ledger: [] };

function user(id: string, overrides: Partial<UserRecord> = {}): UserRecord {
  return { id, email: `${id}@example.com`, displayName: id, kind: 'account', passwordHash: 'hash', createdAt: 1, lastSeenAt: 1, deletedAt: null, ...overrides };
}

function login(sid: string, userId: string, tenant = 'default'): LoginRecord {
  return { sid, user: userId, tenant, client: 'desktop', userAgent: 'test', createdAt: 1, lastUsedAt: 1, revokedAt: null };
}

describe.each(STORE_KINDS)('store contract (%s)', (kind) => {
  async function withStore(fn: (store: Store) => Promise<void>, ...users: UserRecord[]): Promise<void> {
    const store = await openTestStore(kind);
    try {
      await store.directory.createTenant({ id: 'default', name: 'Plaza', policy, createdAt: 1 });
      for (const record of users) await store.directory.createUser(record);
      await fn(store);
    } finally {
      await store.close();
    }
  }

  it('numbers appends per room, compacts, loads snapshot + tail, and answers catch-up reads', () =>
    withStore(async (store) => {
      expect((await store.rooms.appendUpdate({ room: 'r/a', data: new Uint8Array([1]), origin })).seq).toBe(1);
      expect((await store.rooms.appendUpdate({ room: 'r/a', data: new Uint8Array([2]), origin })).seq).toBe(2);
      expect((await store.rooms.appendUpdate({ room: 'r/b', data: new Uint8Array([9]), origin })).seq).toBe(1);
      expect(await store.rooms.since('r/a', 1)).toEqual({ snapshot: null, snapshotSeq: 0, updates: [{ seq: 2, data: new Uint8Array([2]) }] });
      await store.rooms.compact('r/a', new Uint8Array([7, 7]), 2);
      expect((await store.rooms.appendUpdate({ room: 'r/a', data: new Uint8Array([3]), origin })).seq).toBe(3);
      expect(await store.rooms.load('r/a')).toEqual({ snapshot: new Uint8Array([7, 7]), snapshotSeq: 2, updates: [{ seq: 3, data: new Uint8Array([3]) }] });
      // A reader behind the snapshot gets the snapshot; one past it only the tail.
      expect(await store.rooms.since('r/a', 1)).toEqual({ snapshot: new Uint8Array([7, 7]), snapshotSeq: 2, updates: [{ seq: 3, data: new Uint8Array([3]) }] });
      expect(await store.rooms.since('r/a', 2)).toEqual({ snapshot: null, snapshotSeq: 2, updates: [{ seq: 3, data: new Uint8Array([3]) }] });
      expect(await store.rooms.heads(['r/a', 'r/b', 'r/none'])).toEqual(new Map([['r/a', 3], ['r/b', 1], ['r/none', 0]]));
      expect(await store.rooms.listRooms('r/')).toEqual(['r/a', 'r/b']);
      // An older snapshot never replaces a newer one.
      await store.rooms.compact('r/a', new Uint8Array([1]), 1);
      expect((await store.rooms.load('r/a')).snapshotSeq).toBe(2);
    }));

  it('concurrent appends to one room get distinct, gap-free sequence numbers', () =>
    withStore(async (store) => {
      const seqs = await Promise.all(Array.from({ length: 40 }, (_, index) => store.rooms.appendUpdate({ room: 'r/hot', data: new Uint8Array([index]), origin }).then((result) => result.seq)));
      expect([...seqs].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, index) => index + 1));
    }));

  it('ingests an intent once (first content wins) and never again after its decision; a failed commit writes nothing', () =>
    withStore(async (store) => {
      const intent = { tenant: 't', user: 'u', intentId: 'i_12345678', kind: 'test.echo', referee: 'test', envelope: '{"a":1}', problem: null, receivedAt: 1 };
      expect((await store.rooms.appendUpdate({ room: 'x', data: new Uint8Array([1]), origin }, [intent])).queued).toBe(1);
      expect((await store.rooms.appendUpdate({ room: 'x', data: new Uint8Array([2]), origin }, [{ ...intent, envelope: '{"a":2}' }])).queued).toBe(0);
      expect(await store.intents.pendingQueues()).toEqual([{ tenant: 't', referee: 'test' }]);
      const [pending] = await store.intents.pending('t', 'test', 10);
      expect(pending?.envelope).toBe('{"a":1}');
      const decision = { tenant: 't', user: 'u', intentId: 'i_12345678', kind: 'test.echo', status: 'accepted', decision: '{}', decidedAt: 2 };
      await store.intents.commit({ ...empty, decisions: [decision], consumed: [pending!.arrival], ledger: [{ tenant: 't', account: 'u', kind: 'grant', amount: 5, ref: 'i', at: 2 }] });
      expect(await store.intents.countPending()).toBe(0);
      expect(await store.intents.decision('t', 'u', 'i_12345678')).toEqual(decision);
      expect(await store.intents.decisionsOf('u')).toEqual([decision]);
      expect((await store.ledger.rows('t', 'u')).map((row) => row.amount)).toEqual([5]);
      expect((await store.rooms.appendUpdate({ room: 'x', data: new Uint8Array([3]), origin }, [intent])).queued).toBe(0);
      await expect(store.intents.commit({ ...empty, updates: [{ room: 'x', data: new Uint8Array([4]), origin }], decisions: [decision] })).rejects.toThrow(AlreadyDecidedError);
      expect((await store.rooms.load('x')).updates.map((update) => update.seq)).toEqual([1, 2, 3]);
    }));

  it('fires a deadline once: a second commit firing the same row, or a moved one, writes nothing', () =>
    withStore(async (store) => {
      const row = { id: 'd1', tenant: 't', referee: 'test', kind: 'k', fireAt: 100, payload: 'null' };
      await store.intents.commit({ ...empty, deadlinesSet: [row] });
      expect(await store.deadlines.queues()).toEqual([{ tenant: 't', referee: 'test' }]);
      expect(await store.deadlines.of('t', 'test')).toEqual([row]);
      await expect(store.intents.commit({ ...empty, fired: [{ id: 'd1', fireAt: 99 }], updates: [{ room: 'y', data: new Uint8Array([1]), origin }] })).rejects.toThrow(DeadlineGoneError);
      const both = await Promise.allSettled([1, 2].map(() => store.intents.commit({ ...empty, fired: [{ id: 'd1', fireAt: 100 }], updates: [{ room: 'y', data: new Uint8Array([1]), origin }] })));
      expect(both.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect((await store.rooms.load('y')).updates).toHaveLength(1);
      expect(await store.deadlines.all()).toEqual([]);
    }));

  it('fences a queue: after a newer lease epoch wrote, the older holder cannot commit', () =>
    withStore(async (store) => {
      const old = { queue: '["t","test"]', epoch: 1, holder: 'a' };
      await store.intents.commit({ ...empty, fence: old, updates: [{ room: 'z', data: new Uint8Array([1]), origin }] });
      expect(await store.intents.claimFence({ queue: old.queue, epoch: 2, holder: 'b' }, 5)).toBe(true);
      await expect(store.intents.commit({ ...empty, fence: old, updates: [{ room: 'z', data: new Uint8Array([2]), origin }] })).rejects.toThrow(FencedError);
      expect(await store.intents.claimFence(old, 6)).toBe(false);
      await store.intents.commit({ ...empty, fence: { queue: old.queue, epoch: 2, holder: 'b' }, updates: [{ room: 'z', data: new Uint8Array([3]), origin }] });
      expect((await store.rooms.load('z')).updates.map((update) => update.seq)).toEqual([1, 2]);
    }));

  it('rotates a refresh token once, even when two rotations race; reuse revokes the login', () =>
    withStore(
      async (store) => {
        await store.auth.createLogin(login('s_a', 'u_a'), { hash: 'r0', issuedAt: 1, expiresAt: 1000 });
        const outcomes = await Promise.all([
          store.auth.rotateRefreshToken('r0', { hash: 'x1', issuedAt: 2, expiresAt: 1000 }, 2),
          store.auth.rotateRefreshToken('r0', { hash: 'x2', issuedAt: 2, expiresAt: 1000 }, 2),
        ]);
        expect(outcomes.map((outcome) => outcome.kind).sort()).toEqual(['reused', 'rotated']);
        expect((await store.auth.login('s_a'))?.revokedAt).toBe(2);
        expect(await store.auth.rotateRefreshToken('nope', { hash: 'rx', issuedAt: 11, expiresAt: 1000 }, 11)).toEqual({ kind: 'invalid' });
      },
      user('u_a'),
    ));

  it('the first account of a tenant claims ownership exactly once, even when three race; emails are unique without case', () =>
    withStore(async (store) => {
      const roles = await Promise.all(['u_1', 'u_2', 'u_3'].map((id) => store.auth.saveAccount({ user: user(id), upgrade: false, tenant: 'default', role: 'member', claimOwner: true, at: 1 })));
      expect([...roles].sort()).toEqual(['member', 'member', 'owner']);
      await expect(store.auth.saveAccount({ user: user('u_4', { email: 'U_1@example.com' }), upgrade: false, tenant: 'default', role: 'member', claimOwner: true, at: 1 })).rejects.toThrow(EmailTakenError);
      expect(await store.directory.user('u_4')).toBeNull();
      expect((await store.directory.userByEmail('U_2@EXAMPLE.com'))?.id).toBe('u_2');
      expect(await store.auth.displayNameTaken('default', 'U_3')).toBe(true);
    }));

  it('keeps a tenant from losing its last owner; invites and reset tokens are used once', () =>
    withStore(
      async (store) => {
        await store.directory.setMembership('default', 'u_owner', 'owner', 1);
        await store.directory.setMembership('default', 'u_a', 'member', 1);
        expect(await store.auth.changeRole('default', 'u_owner', 'admin', 3)).toBe('last-owner');
        expect(await store.auth.changeRole('default', 'nobody', 'admin', 3)).toBe('not-member');
        expect(await store.auth.changeRole('default', 'u_a', 'owner', 3)).toBe('ok');
        expect(await store.auth.changeRole('default', 'u_owner', null, 3)).toBe('ok');
        expect((await store.directory.members('default')).map((member) => [member.user, member.role])).toEqual([['u_a', 'owner']]);
        await store.auth.createInvite({ hash: 'inv', tenant: 'default', role: 'member', createdBy: 'u_a', createdAt: 1, expiresAt: 100, maxUses: 2, uses: 0 });
        const uses = await Promise.all([1, 2, 3].map(() => store.auth.useInvite('inv', 10)));
        expect(uses.filter((invite) => invite !== null)).toHaveLength(2);
        await store.auth.createResetToken({ hash: 'first', user: 'u_a', createdBy: null, createdAt: 1, expiresAt: 100 });
        await store.auth.createResetToken({ hash: 'second', user: 'u_a', createdBy: null, createdAt: 2, expiresAt: 100 });
        expect(await store.auth.consumeResetToken('first', 10)).toBeNull();
        expect(await store.auth.consumeResetToken('second', 10)).toBe('u_a');
        expect(await store.auth.consumeResetToken('second', 10)).toBeNull();
      },
      user('u_owner'),
      user('u_a'),
    ));

  it('deletes a user in one step and sweeps idle guests and expired rows', () =>
    withStore(
      async (store) => {
        await store.directory.setMembership('default', 'u_a', 'member', 1);
        await store.auth.createLogin(login('s_1', 'u_a'), { hash: 'r1', issuedAt: 1, expiresAt: 1000 });
        await store.auth.createLogin(login('s_2', 'u_a'), { hash: 'r2', issuedAt: 1, expiresAt: 1000 });
        expect(await store.auth.revokeLogins('u_a', { except: 's_2' }, 20)).toEqual(['s_1']);
        const deleted = await store.auth.deleteUser('u_a', 50);
        expect(deleted.memberships.map((membership) => membership.tenant)).toEqual(['default']);
        expect(deleted.sessions).toEqual(['s_2']);
        expect(await store.directory.user('u_a')).toMatchObject({ email: null, displayName: 'Deleted user', passwordHash: null, deletedAt: 50 });
        expect(await store.auth.idleGuests(100, 10)).toEqual(['g_old']);
        expect(await store.auth.purgeExpired(60, 51)).toBe(2);
        expect(await store.auth.loginsOf('u_a')).toEqual([]);
      },
      user('u_a'),
      user('g_old', { kind: 'guest', email: null, lastSeenAt: 5 }),
    ));

  it('stores a blob once per (tenant, hash): the same bytes again write nothing, even when uploads race; other tenants do not see it', () =>
    withStore(async (store) => {
      const image = png(1, 2, 3);
      const hash = blobHash(image);
      const first = await store.blobs.put({ tenant: 'acme', hash, mime: 'image/png', data: image, createdAt: 10 });
      expect(first).toEqual({ created: true, blob: { tenant: 'acme', hash, mime: 'image/png', size: image.byteLength, createdAt: 10 } });
      // Idempotent: the blob stored first stays as it was.
      expect(await store.blobs.put({ tenant: 'acme', hash, mime: 'image/png', data: image, createdAt: 20 })).toEqual({ created: false, blob: first.blob });
      expect(await store.blobs.get('acme', hash)).toEqual({ ...first.blob, data: image });
      expect(await store.blobs.get('globex', hash)).toBeNull();
      expect(await store.blobs.get('acme', blobHash(png(9)))).toBeNull();

      const raced = png(4, 5, 6);
      const outcomes = await Promise.all([1, 2, 3, 4].map((at) => store.blobs.put({ tenant: 'globex', hash: blobHash(raced), mime: 'image/png', data: raced, createdAt: at })));
      expect(outcomes.map((outcome) => outcome.created).sort()).toEqual([false, false, false, true]);
      expect(new Set(outcomes.map((outcome) => outcome.blob.createdAt)).size).toBe(1);
      expect((await store.blobs.list('globex')).map((blob) => blob.hash)).toEqual([blobHash(raced)]);
      expect((await store.blobs.list('acme')).map((blob) => blob.hash)).toEqual([hash]);
    }));

  it('keeps a blob’s bytes exactly (every byte value, the 5 MiB limit) and refuses a row whose hash is not one', () =>
    withStore(async (store) => {
      const every = new Uint8Array(256 * 3).map((_, index) => index % 256);
      const big = new Uint8Array(PRODUCT_LIMITS.imageBytesMax).map((_, index) => (index * 31) % 251);
      for (const data of [every, big]) {
        const hash = blobHash(data);
        await store.blobs.put({ tenant: 'acme', hash, mime: 'image/webp', data, createdAt: 1 });
        const stored = await store.blobs.get('acme', hash);
        expect(stored?.size).toBe(data.byteLength);
        expect(blobHash(stored!.data)).toBe(hash);
      }
      await expect(store.blobs.put({ tenant: 'acme', hash: 'short', mime: 'image/png', data: every, createdAt: 1 })).rejects.toThrow();
      expect(await store.blobs.list('acme')).toHaveLength(2);
    }));

  it('keeps server state and kill switches and settings', () =>
    withStore(async (store) => {
      await store.serverState.set('k', 'v1');
      await store.serverState.set('k', 'v2');
      expect(await store.serverState.get('k')).toBe('v2');
      expect(await store.serverState.get('none')).toBeNull();
      await store.llm.setKillSwitch({ scope: 'tenant', target: 'default', reason: 'test', setBy: 'op', setAt: 1 });
      expect(await store.llm.killSwitches()).toEqual([{ scope: 'tenant', target: 'default', reason: 'test', setBy: 'op', setAt: 1 }]);
      expect(await store.llm.clearKillSwitch('tenant', 'default')).toBe(true);
      expect(await store.llm.clearKillSwitch('tenant', 'default')).toBe(false);
      await store.llm.setSetting('budgets', '{}', 1);
      expect(await store.llm.setting('budgets')).toBe('{}');
    }));
});
