import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roomNames } from '../../../shared/sync/rooms.ts';
import type { RunningServer } from '../server.ts';
import { addUser, connectClient, destroyAll, eventually, rawClient, startTestServer, whenSynced, type TestUser } from '../test-support/harness.ts';

let server: RunningServer;
let alice: TestUser;

beforeAll(async () => {
  server = await startTestServer({ maxMessageBytes: 64 * 1024 });
  alice = await addUser(server, 'acme', 'admin', 'Alice');
});
afterAll(async () => {
  await server.close();
});

const GARBAGE: Array<[string, () => Uint8Array | string, number]> = [
  ['random bytes', () => new Uint8Array(randomBytes(64)), 4400],
  ['an unknown message type', () => new Uint8Array([77, 1, 2, 3]), 4400],
  ['a truncated sync message', () => new Uint8Array([0, 2, 50, 1, 2]), 4400],
  ['a sync update of garbage', () => new Uint8Array([0, 2, 5, 255, 255, 255, 255, 255]), 4400],
  ['an unknown sync step', () => new Uint8Array([0, 9, 0]), 4400],
  ['a malformed awareness update', () => new Uint8Array([1, 3, 1, 5, 5]), 4400],
  ['awareness state that is not JSON', () => new Uint8Array([1, 6, 1, 1, 1, 2, 123, 123]), 4400],
  ['a server-only time message', () => new Uint8Array([100, 1, 0, 0, 0, 0, 0, 0, 0, 0]), 4400],
  ['an empty frame', () => new Uint8Array([]), 4400],
  ['a text frame', () => 'hello', 4400],
  ['an oversized frame', () => new Uint8Array(70 * 1024), 1009],
];

describe('garbage on the wire', () => {
  it.each(GARBAGE)('%s closes only that connection; other rooms keep working', async (_label, frame, code) => {
    const room = roomNames.user('acme', alice.id);
    const other = connectClient(server, roomNames.catalog('acme'), alice.token);
    await whenSynced(other.provider);
    const watcher = connectClient(server, roomNames.catalog('acme'), alice.token);
    await whenSynced(watcher.provider);
    const attacker = rawClient(server, room, alice.token);
    await attacker.opened;
    attacker.ws.send(frame());
    expect((await attacker.closed).code).toBe(code);
    const key = `after-${Math.random()}`;
    other.doc.getMap('products').set(key, { title: 'still works' });
    await eventually(() => expect(watcher.doc.getMap('products').get(key)).toEqual({ title: 'still works' }));
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    destroyAll(other.provider, watcher.provider);
  });

  it('a flood of messages is cut with 4429 after the burst', async () => {
    const flood = await startTestServer({ messagesPerSecond: 10, messageBurst: 20 });
    const user = await addUser(flood, 'acme');
    const attacker = rawClient(flood, roomNames.user('acme', user.id), user.token);
    await attacker.opened;
    for (let index = 0; index < 100; index += 1) attacker.ws.send(new Uint8Array([3]));
    expect((await attacker.closed).code).toBe(4429);
    await flood.close();
  });

  it('more connections than a user may hold are refused with 4430', async () => {
    const limited = await startTestServer({ maxConnectionsPerUser: 2 });
    const user = await addUser(limited, 'acme');
    const room = roomNames.user('acme', user.id);
    const [a, b] = [rawClient(limited, room, user.token), rawClient(limited, room, user.token)];
    await Promise.all([a.opened, b.opened]);
    await eventually(() => expect(limited.endpoint.connectionCount).toBe(2));
    const third = rawClient(limited, room, user.token);
    expect((await third.closed).code).toBe(4430);
    a.ws.close();
    b.ws.close();
    await limited.close();
  });

  it('a peer silent for longer than the timeout is dropped with 4408', async () => {
    const quiet = await startTestServer({ silentTimeoutMs: 400, heartbeatMs: 100 });
    const user = await addUser(quiet, 'acme');
    const client = rawClient(quiet, roomNames.user('acme', user.id), user.token);
    await client.opened;
    expect((await client.closed).code).toBe(4408);
    // It did receive heartbeats (Plaza time beats) while it was connected.
    expect(client.messages.some((message) => message[0] === 100 && message[1] === 2)).toBe(true);
    await quiet.close();
  });

  it('stock clients get the empty-awareness heartbeat instead of Plaza messages', async () => {
    const beats = await startTestServer({ heartbeatMs: 100 });
    const user = await addUser(beats, 'acme');
    const client = rawClient(beats, `${roomNames.user('acme', user.id)}?token=${user.token}`, null, []);
    await client.opened;
    await eventually(() => expect(client.messages.some((message) => message.length === 3 && message[0] === 1 && message[1] === 1 && message[2] === 0)).toBe(true));
    expect(client.messages.some((message) => (message[0] ?? 0) >= 100)).toBe(false);
    client.ws.close();
    await beats.close();
  });
});
