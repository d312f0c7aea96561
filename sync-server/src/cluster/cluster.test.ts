/**
 * Two server instances on one Postgres database and one Redis prefix (real ones, on 127.0.0.1),
 * each with its own pool, Redis connections and process id: clients spread over them converge,
 * intents are decided once by the queue's lease holder wherever they arrive, leases move when a
 * holder stops, deadlines fire once, membership changes and kill switches reach every process,
 * rate limits are shared and a message lost on the bus heals from the store.
 * (The same with real child processes, SIGKILL included: `processes.test.ts`.)
 */
import { exportJWK, generateKeyPair } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { roomNames } from '../../../shared/sync/rooms.ts';
import type { ServerConfigInput } from '../config.ts';
import type { RunningServer } from '../server.ts';
import { addUser, connectClient, destroyAll, eventually, rawClient, startTestServer, storedDoc, whenSynced } from '../test-support/harness.ts';
import { ensureInfra, freshDatabase, freshPrefix } from '../test-support/infra.ts';
import { decisionIn, writeIntent } from '../test-support/intents.ts';
import { RedisRateLimiter } from './rate-limit.ts';

const running: RunningServer[] = [];
afterEach(async () => {
  await Promise.allSettled(running.splice(0).map((server) => server.close()));
});

async function clusterConfig(): Promise<Partial<ServerConfigInput>> {
  const infra = await ensureInfra();
  const pair = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  return {
    databaseUrl: await freshDatabase(infra, 'cluster'),
    redisUrl: infra.redisUrl,
    redisPrefix: freshPrefix('inproc'),
    accessTokenKey: JSON.stringify(await exportJWK(pair.privateKey)),
    operatorKey: `op_${'x'.repeat(40)}`,
    leaseTtlMs: 1500,
    clusterHeartbeatMs: 300,
    queueSweepMs: 200,
    resyncEveryMs: 500,
    gapGraceMs: 50,
    databasePoolSize: 4,
  };
}

async function twoServers(extra: Partial<ServerConfigInput> = {}): Promise<[RunningServer, RunningServer, Partial<ServerConfigInput>]> {
  const config = { ...(await clusterConfig()), ...extra };
  const a = await startTestServer({ ...config, processId: 'proc-a' });
  running.push(a);
  const b = await startTestServer({ ...config, processId: 'proc-b' });
  running.push(b);
  return [a, b, config];
}

describe('two processes on Postgres + Redis', () => {
  it('clients of one room on different processes converge, with awareness, and everything is stored once', async () => {
    const [a, b] = await twoServers();
    const alice = await addUser(a, 'acme');
    const room = roomNames.user('acme', alice.id);
    const one = connectClient(a, room, alice.token);
    const two = connectClient(b, room, alice.token);
    const three = connectClient(b, room, alice.token);
    await Promise.all([whenSynced(one.provider), whenSynced(two.provider), whenSynced(three.provider)]);
    for (let index = 0; index < 30; index += 1) {
      one.doc.getArray('log').push([`a${index}`]);
      two.doc.getArray('log').push([`b${index}`]);
    }
    three.doc.getMap('settings').set('theme', 'dark');
    one.provider.awareness.setLocalStateField('cursor', 7);
    await eventually(() => {
      for (const client of [one, two, three]) {
        expect(client.doc.getArray('log').length).toBe(60);
        expect(client.doc.getMap('settings').get('theme')).toBe('dark');
      }
      expect(JSON.stringify(two.doc.getArray('log').toArray())).toBe(JSON.stringify(one.doc.getArray('log').toArray()));
      expect([...three.provider.awareness.getStates().values()].some((state) => (state as { cursor?: number }).cursor === 7)).toBe(true);
    });
    // Both processes hold the room in memory at the same contiguous sequence number as the store.
    const head = (await a.store.rooms.heads([room])).get(room)!;
    await eventually(() => {
      expect(a.rooms.loaded(room)?.lastSeq).toBe(head);
      expect(b.rooms.loaded(room)?.lastSeq).toBe(head);
    });
    expect((await storedDoc(a, room)).getArray('log').length).toBe(60);
    // Echoes were dropped on receipt, never applied twice.
    expect(a.cluster!.fanout.echoesDropped + b.cluster!.fanout.echoesDropped).toBeGreaterThan(0);
    destroyAll(one.provider, two.provider, three.provider);
  });

  it('an update that never reached the bus still reaches the other process (gap and resync from the store)', async () => {
    const [a, b] = await twoServers();
    const alice = await addUser(a, 'acme');
    const room = roomNames.user('acme', alice.id);
    const onB = connectClient(b, room, alice.token);
    await whenSynced(onB.provider);
    // A write that bypasses the bus (as if its message were lost): straight into the store.
    const side = new Y.Doc();
    Y.applyUpdate(side, Y.encodeStateAsUpdate((await storedDoc(a, room))));
    const before = Y.encodeStateVector(side);
    side.getMap('settings').set('lost', 'found');
    await a.store.rooms.appendUpdate({ room, data: Y.encodeStateAsUpdate(side, before), origin: { kind: 'server', reason: 'test' } });
    await eventually(() => expect(onB.doc.getMap('settings').get('lost')).toBe('found'), 10_000);
    destroyAll(onB.provider);
  });

  it('intents written through either process are decided exactly once, by the queue holder', async () => {
    const [a, b] = await twoServers();
    const alice = await addUser(a, 'acme');
    const outboxA = connectClient(a, roomNames.outbox('acme', alice.id), alice.token);
    const outboxB = connectClient(b, roomNames.outbox('acme', alice.id), alice.token);
    const inbox = connectClient(b, roomNames.inbox('acme', alice.id), alice.token);
    await Promise.all([whenSynced(outboxA.provider), whenSynced(outboxB.provider), whenSynced(inbox.provider)]);
    const ids: string[] = [];
    for (let index = 0; index < 20; index += 1) ids.push(writeIntent((index % 2 === 0 ? outboxA : outboxB).doc, 'test.add', { amount: 1 }));
    await eventually(() => {
      for (const id of ids) expect(decisionIn(inbox.doc, id)?.status).toBe('accepted');
      expect(inbox.doc.getMap('state').get('counter')).toBe(20);
    }, 20_000);
    const holders = [a, b].filter((server) => server.runner.heldQueues().some((queue) => queue === JSON.stringify(['acme', 'test'])));
    expect(holders).toHaveLength(1);
    expect((await storedDoc(a, roomNames.inbox('acme', alice.id))).getMap('state').get('counter')).toBe(20);
    destroyAll(outboxA.provider, outboxB.provider, inbox.provider);
  });

  it('a stopping holder hands its queue over; the deadline it armed fires once on the other process', async () => {
    const [a, b] = await twoServers();
    const alice = await addUser(a, 'acme');
    const outbox = connectClient(a, roomNames.outbox('acme', alice.id), alice.token);
    await whenSynced(outbox.provider);
    const queue = JSON.stringify(['acme', 'test']);
    const first = writeIntent(outbox.doc, 'test.remind', { delayMs: 2500 });
    await eventually(async () => expect(await a.store.intents.decision('acme', alice.id, first)).not.toBeNull(), 15_000);
    const holder = a.runner.heldQueues().includes(queue) ? a : b;
    const other = holder === a ? b : a;
    destroyAll(outbox.provider);
    await holder.close();
    await eventually(() => expect(other.runner.heldQueues()).toContain(queue), 10_000);
    await eventually(async () => expect((await storedDoc(other, roomNames.inbox('acme', alice.id))).getMap('state').get('reminders')).toBe(1), 15_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await storedDoc(other, roomNames.inbox('acme', alice.id))).getMap('state').get('reminders')).toBe(1);
    expect(await other.store.deadlines.all()).toEqual([]);
  });

  it('a membership change on one process closes the member’s socket on the other at once', async () => {
    const [a, b] = await twoServers({ membershipCacheMs: 3_600_000 });
    const alice = await addUser(a, 'acme');
    const client = rawClient(b, roomNames.user('acme', alice.id), alice.token);
    await client.opened;
    await eventually(() => expect(client.messages.length).toBeGreaterThan(0));
    await a.directory.setRole('acme', alice.id, null);
    expect((await client.closed).code).toBe(4403);
  });

  it('a kill switch set on one process applies on the other', async () => {
    const [a, b] = await twoServers();
    await a.llm.setKillSwitch({ scope: 'tenant', on: true, tenant: 'acme', reason: 'test' }, 'operator');
    await eventually(() => expect(b.llm.killSwitchesFor({ tenantId: 'acme', userId: 'u', sessionId: 's' }).tenant).toEqual({ reason: 'test' }));
    await b.llm.setKillSwitch({ scope: 'tenant', on: false, tenant: 'acme' }, 'operator');
    await eventually(() => expect(a.llm.killSwitchesFor({ tenantId: 'acme', userId: 'u', sessionId: 's' }).tenant).toBeUndefined());
  });

  it('rate limits are shared: two processes admit the limit once in all', async () => {
    const [a, b] = await twoServers();
    const rule = { limit: 5, windowMs: 60_000 };
    const results = await Promise.all(Array.from({ length: 12 }, (_, index) => (index % 2 === 0 ? a : b).auth.limiter.hit('ip:1.2.3.4', rule, Date.now())));
    expect(results.filter((result) => result.allowed)).toHaveLength(5);
    const refused = results.find((result) => !result.allowed);
    expect(refused && !refused.allowed && refused.retryAfterMs).toBeGreaterThan(0);
    expect((await b.auth.limiter.peek('ip:1.2.3.4', rule, Date.now())).allowed).toBe(false);
    await a.auth.limiter.reset('ip:1.2.3.4');
    expect((await b.auth.limiter.peek('ip:1.2.3.4', rule, Date.now())).allowed).toBe(true);
    expect(a.auth.limiter).toBeInstanceOf(RedisRateLimiter);
  });

  it('/readyz reports Postgres and Redis', async () => {
    const [a] = await twoServers();
    const response = await fetch(`${a.url}/readyz`);
    expect(await response.json()).toMatchObject({ status: 'ready', store: 'postgres', redis: 'ok', process: 'proc-a' });
  });
});
