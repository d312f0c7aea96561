import { SignJWT, generateKeyPair } from 'jose';
import * as encoding from 'lib0/encoding';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roomNames } from '../../../shared/sync/rooms.ts';
import type { RunningServer } from '../server.ts';
import { STORE_KINDS, storeOverrides } from '../test-support/stores.ts';
import { addUser, connectClient, destroyAll, eventually, rawClient, startTestServer, whenSynced, type TestUser } from '../test-support/harness.ts';

let server: RunningServer;
let alice: TestUser;
let bob: TestUser;
let mallory: TestUser;

describe.each(STORE_KINDS)('isolation (%s store)', (kind) => {
  beforeAll(async () => {
    server = await startTestServer(await storeOverrides(kind));
    alice = await addUser(server, 'acme', 'member', 'Alice');
    bob = await addUser(server, 'acme', 'member', 'Bob');
    mallory = await addUser(server, 'globex', 'admin', 'Mallory');
  });
  afterAll(async () => {
    await server.close();
  });

  /** Connects raw and expects a refusal: the close code, and not one byte of any document. */
  async function expectRefused(room: string, token: string | null, code: number, protocols?: string[]): Promise<void> {
    const client = rawClient(server, room, token, protocols);
    const closed = await client.closed;
    expect(closed.code).toBe(code);
    expect(client.messages).toEqual([]);
  }

  describe('tenant and user isolation at the upgrade', () => {
    it.each([
      ['another tenant’s catalog', () => roomNames.catalog('acme'), () => mallory.token],
      ['another tenant’s orders', () => roomNames.orders('acme'), () => mallory.token],
      ['another user’s private room', () => roomNames.user('acme', bob.id), () => alice.token],
      ['another user’s inbox', () => roomNames.inbox('acme', bob.id), () => alice.token],
      ['another user’s outbox', () => roomNames.outbox('acme', bob.id), () => alice.token],
      ['a forged tenant in the path (own user id)', () => roomNames.user('globex', alice.id), () => alice.token],
      ['orders as a plain member', () => roomNames.orders('acme'), () => alice.token],
      ['a room kind that does not exist', () => 't/acme/secrets', () => alice.token],
      ['a path traversal', () => 't/acme/u/../u/x', () => alice.token],
    ])('%s is refused with 4403 and no document bytes', async (_label, room, token) => {
      await expectRefused(room(), token(), 4403);
    });

    it('missing and forbidden rooms get the same answer', async () => {
      const missing = rawClient(server, 't/acme/nothing-here', alice.token);
      const forbidden = rawClient(server, roomNames.user('acme', bob.id), alice.token);
      const [a, b] = await Promise.all([missing.closed, forbidden.closed]);
      expect(a).toEqual(b);
    });

    it('refuses tampered, expired, foreign-key, alg:none and missing tokens with 4401', async () => {
      const room = roomNames.user('acme', alice.id);
      const [header, payload, signature] = alice.token.split('.');
      const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
      const forgedPayload = Buffer.from(JSON.stringify({ ...claims, sub: bob.id })).toString('base64url');
      const tampered = `${header}.${forgedPayload}.${signature}`;
      const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
      const expired = (await server.tokens.issue({ tenant: 'acme', user: alice.id, role: 'member', name: 'Alice', session: 's', kind: 'account' }, 60, Date.now() - 3_600_000)).token;
      const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
      const foreign = await new SignJWT({ tid: 'acme', role: 'owner', name: 'x', sid: 's', kind: 'account' })
        .setProtectedHeader({ alg: 'EdDSA', kid: server.tokens.keyId })
        .setSubject(alice.id)
        .setIssuer('plaza')
        .setAudience('plaza-sync')
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(privateKey);
      for (const token of [tampered, none, expired, foreign, 'garbage', '']) await expectRefused(room, token || null, 4401);
      await expectRefused(room, null, 4401, ['plaza.v1']);
    });

    it('a stock client with a query token works; a bad one stays unsynced', async () => {
      const good = connectClient(server, roomNames.catalog('acme'), alice.token, { viaQuery: true });
      await whenSynced(good.provider);
      const bad = connectClient(server, roomNames.catalog('acme'), 'not-a-token', { viaQuery: true });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(bad.provider.synced).toBe(false);
      destroyAll(good.provider, bad.provider);
    });

    it('an unknown protocol version is told to update the app', async () => {
      await expectRefused(roomNames.catalog('acme'), alice.token, 4426, ['plaza.v9', `plaza.auth.${alice.token}`]);
    });
  });

  describe('awareness', () => {
    function awarenessFrame(clientId: number, clock: number, state: unknown): Uint8Array {
      const inner = encoding.createEncoder();
      encoding.writeVarUint(inner, 1);
      encoding.writeVarUint(inner, clientId);
      encoding.writeVarUint(inner, clock);
      encoding.writeVarString(inner, JSON.stringify(state));
      const outer = encoding.createEncoder();
      encoding.writeVarUint(outer, 1);
      encoding.writeVarUint8Array(outer, encoding.toUint8Array(inner));
      return encoding.toUint8Array(outer);
    }

    it('stamps the verified user, refuses ids owned by another connection, and sends none from read-only peers', async () => {
      const room = roomNames.user('acme', alice.id);
      const watcher = connectClient(server, room, alice.token);
      await whenSynced(watcher.provider);
      const first = rawClient(server, room, alice.token);
      const second = rawClient(server, room, alice.token);
      await Promise.all([first.opened, second.opened]);
      first.ws.send(awarenessFrame(4242, 1, { user: { id: bob.id, name: 'Bob (forged)' }, cursor: 1 }));
      await eventually(() => expect(watcher.provider.awareness.getStates().get(4242)).toEqual({ user: { id: alice.id, name: 'Alice' }, cursor: 1 }));
      second.ws.send(awarenessFrame(4242, 2, { cursor: 666 }));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(watcher.provider.awareness.getStates().get(4242)).toEqual({ user: { id: alice.id, name: 'Alice' }, cursor: 1 });

      const catalog = roomNames.catalog('acme');
      const catalogWatcher = connectClient(server, catalog, alice.token);
      await whenSynced(catalogWatcher.provider);
      const reader = rawClient(server, catalog, bob.token);
      await reader.opened;
      reader.ws.send(awarenessFrame(777, 1, { hello: true }));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(catalogWatcher.provider.awareness.getStates().has(777)).toBe(false);
      for (const client of [first, second, reader]) client.ws.close();
      destroyAll(watcher.provider, catalogWatcher.provider);
    });
  });

  describe('access changes reach open sockets', () => {
    it('a removed member is disconnected at once; a demoted admin is moved to read-only', async () => {
      const carol = await addUser(server, 'acme', 'admin', 'Carol');
      const own = rawClient(server, roomNames.user('acme', carol.id), carol.token);
      const catalog = connectClient(server, roomNames.catalog('acme'), carol.token);
      await Promise.all([own.opened, whenSynced(catalog.provider)]);
      const statuses: number[] = [];
      catalog.provider.on('connection-close', (event: CloseEvent | null) => statuses.push(event?.code ?? 0));
      await server.directory.setRole('acme', carol.id, 'member');
      await eventually(() => expect(statuses).toContain(4000));
      await eventually(() => expect(catalog.provider.synced).toBe(true));
      catalog.doc.getMap('products').set('after-demotion', { title: 'x' });
      await new Promise((resolve) => setTimeout(resolve, 200));
      const stored = await server.store.rooms.load(roomNames.catalog('acme'));
      expect(JSON.stringify(stored)).not.toContain('after-demotion');
      await server.directory.setRole('acme', carol.id, null);
      expect((await own.closed).code).toBe(4403);
      await expectRefused(roomNames.user('acme', carol.id), carol.token, 4403);
      destroyAll(catalog.provider);
    });

    it('revoking a session closes its sockets with 4401', async () => {
      const dave = await addUser(server, 'acme', 'member', 'Dave');
      const client = rawClient(server, roomNames.user('acme', dave.id), dave.token);
      await client.opened;
      server.directory.revokeSession(`s-${dave.id}`);
      expect((await client.closed).code).toBe(4401);
    });
  });
});
