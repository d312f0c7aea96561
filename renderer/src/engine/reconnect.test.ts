/**
 * The reconnect path against a real server: a replica answers the server's heartbeat (its own
 * timers may be held back), and closes that only say "not now" (dropped as silent, too many
 * connections) are followed by a reconnect with backoff, not by a replica that stays offline
 * (and a sync status stuck at "connecting") until the browser's next `online` event.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CLOSE } from '../../../shared/sync/close-codes.ts';
import { roomNames } from '../../../shared/sync/rooms.ts';
import type { RunningServer } from '../../../sync-server/src/server.ts';
import { addUser, connectClient, destroyAll, eventually, startTestServer, whenSynced } from '../../../sync-server/src/test-support/harness.ts';
import type { RoomReplica } from './room-replica.ts';
import { fixedToken, startEngine, type Engine } from './test-support/engine-harness.ts';

let server: RunningServer;
let engine: Engine | null = null;
afterEach(async () => {
  await engine?.close();
  engine = null;
  await server?.close();
});

/** Close codes of the replica's sockets, and how many times it synced, as they happen. */
function watch(replica: RoomReplica): { closes: number[]; syncs: () => number } {
  const closes: number[] = [];
  let syncs = 0;
  replica.provider!.on('connection-close', (event: CloseEvent | null) => closes.push(event?.code ?? 0));
  replica.provider!.on('sync', (synced: boolean) => {
    if (synced) syncs += 1;
  });
  return { closes, syncs: () => syncs };
}

describe('staying connected', () => {
  it('a replica answers the server\'s heartbeat, so a server that wants to hear it more often than its own timer speaks keeps it', async () => {
    server = await startTestServer({ silentTimeoutMs: 1_000, heartbeatMs: 200 });
    const alice = await addUser(server, 'acme', 'member', 'Alice');
    engine = await startEngine({ serverUrl: server.url, principal: { tenant: 'acme', user: alice.id, role: 'member' }, tokens: fixedToken(alice.token) });
    const replica = await engine.client.open(roomNames.user('acme', alice.id));
    const seen = watch(replica);
    let samples = 0;
    const counting = engine.client.clock$.subscribe(() => (samples += 1));
    // Fifteen answered beats span three times the silence the server allows.
    await eventually(() => expect(samples).toBeGreaterThanOrEqual(15), 15_000);
    counting.unsubscribe();
    expect(seen.closes).toEqual([]);
    expect(replica.state).toBe('synced');
  });
});

describe('reconnecting after a transient close', () => {
  it('a replica refused for too many connections syncs once a slot is free', async () => {
    server = await startTestServer({ maxConnectionsPerUser: 1 });
    const alice = await addUser(server, 'acme', 'member', 'Alice');
    // Another device (or the sockets of a browser that was killed) holds the only slot.
    const elsewhere = connectClient(server, roomNames.outbox('acme', alice.id), alice.token);
    await whenSynced(elsewhere.provider);
    engine = await startEngine({ serverUrl: server.url, principal: { tenant: 'acme', user: alice.id, role: 'member' }, tokens: fixedToken(alice.token) });
    const replica = await engine.client.open(roomNames.user('acme', alice.id));
    const seen = watch(replica);
    await eventually(() => expect(seen.closes).toContain(CLOSE.tooManyConnections.code));
    destroyAll(elsewhere.provider);
    await eventually(() => expect(replica.state).toBe('synced'), 20_000);
    expect(engine.client.status$.value).toEqual({ kind: 'synced' });
  });

  it('a replica the server dropped as silent (a page whose timers were held back) comes back', async () => {
    // Plaza's client speaks every 10 s; a server that wants to hear it every second drops it.
    server = await startTestServer({ silentTimeoutMs: 1_000 });
    const alice = await addUser(server, 'acme', 'member', 'Alice');
    engine = await startEngine({ serverUrl: server.url, principal: { tenant: 'acme', user: alice.id, role: 'member' }, tokens: fixedToken(alice.token) });
    const replica = await engine.client.open(roomNames.user('acme', alice.id));
    const seen = watch(replica);
    await eventually(() => expect(seen.closes).toContain(CLOSE.timeout.code), 15_000);
    const syncsBefore = seen.syncs();
    await eventually(() => expect(seen.syncs()).toBeGreaterThan(syncsBefore), 15_000);
  });
});
