/**
 * Crash windows, hit with the test-only fault points (the server SIGKILLs itself there), and a
 * plain SIGKILL under load: every intent is decided exactly once and nothing any client saw is
 * lost.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket as WsWebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { roomNames } from '../../../shared/sync/rooms.ts';
import { startServerProcess, type ServerProcess } from '../../../build/scripts/server-process.ts';
import { SqliteStore } from '../store/sqlite.ts';
import { eventually, ignorePlazaMessages, temporaryDir } from '../test-support/harness.ts';
import { decisionIn, writeIntent } from '../test-support/intents.ts';

const processes: ServerProcess[] = [];
afterEach(async () => {
  for (const process of processes.splice(0)) await process.kill();
});

async function start(dataDir: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  // A loaded machine (the suite runs server processes in parallel) can take long to start one.
  const server = await startServerProcess({ dataDir, startTimeoutMs: 60_000, env: { PLAZA_TEST_REFEREE: '1', PLAZA_IDLE_UNLOAD_MS: '200', ...env } });
  processes.push(server);
  return server;
}

async function admin(server: ServerProcess, method: string, route: string, body: unknown): Promise<Record<string, unknown>> {
  const key = readFileSync(path.join(server.dataDir, 'keys/operator.key'), 'utf8').trim();
  const response = await fetch(`${server.url}${route}`, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`${route}: ${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
}

async function newUser(server: ServerProcess): Promise<{ id: string; token: string }> {
  const { user } = (await admin(server, 'POST', '/api/admin/users', { tenant: 'default', displayName: 'Crash Tester' })) as { user: { id: string } };
  const { token } = (await admin(server, 'POST', '/api/admin/tokens', { tenant: 'default', user: user.id })) as { token: string };
  return { id: user.id, token };
}

function connect(server: ServerProcess, room: string, token: string, doc = new Y.Doc()): WebsocketProvider {
  const provider = new WebsocketProvider(`${server.url.replace(/^http/, 'ws')}/sync`, room, doc, {
    protocols: ['plaza.v1', `plaza.auth.${token}`],
    WebSocketPolyfill: WsWebSocket as unknown as typeof WebSocket,
    disableBc: true,
    maxBackoffTime: 300,
  });
  ignorePlazaMessages(provider);
  return provider;
}

function storedDoc(dataDir: string, room: string): Y.Doc {
  const store = SqliteStore.open(dataDir);
  try {
    const doc = new Y.Doc();
    const rows = store.db.prepare('SELECT data FROM room_snapshots WHERE room = ? UNION ALL SELECT data FROM room_updates WHERE room = ?').all(room, room) as Array<{ data: Uint8Array }>;
    for (const row of rows) Y.applyUpdate(doc, row.data);
    return doc;
  } finally {
    void store.close();
  }
}

describe.each(['after-ingest', 'after-commit'] as const)('fault point %s', (fault) => {
  it('the intent is decided exactly once after the server dies there and restarts', { timeout: 150_000 }, async () => {
    const dataDir = temporaryDir();
    let server = await start(dataDir);
    const user = await newUser(server);
    await server.stop();
    server = await start(dataDir, { PLAZA_FAULT: fault });
    const outboxDoc = new Y.Doc();
    const id = writeIntent(outboxDoc, 'test.add', { amount: 7 });
    const outbox = connect(server, roomNames.outbox('default', user.id), user.token, outboxDoc);
    const code = await new Promise<number | null>((resolve) => server.child.once('exit', (exitCode, signal) => resolve(signal === 'SIGKILL' ? 137 : exitCode)));
    expect(code).toBe(137);
    outbox.destroy();
    const restarted = await start(dataDir);
    const inbox = connect(restarted, roomNames.inbox('default', user.id), user.token);
    const again = connect(restarted, roomNames.outbox('default', user.id), user.token, outboxDoc);
    await eventually(() => expect(decisionIn(inbox.doc, id)).toMatchObject({ status: 'accepted', result: { counter: 7 } }), 15_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(inbox.doc.getMap('state').get('counter')).toBe(7);
    inbox.destroy();
    again.destroy();
    await restarted.stop();
    const check = SqliteStore.open(dataDir);
    expect((check.db.prepare('SELECT COUNT(*) AS n FROM decisions WHERE intent_id = ?').get(id) as { n: number }).n).toBe(1);
    await check.close();
  });
});

describe('SIGKILL while clients write', () => {
  it('every update any client received is in the store and reaches a fresh client', { timeout: 150_000 }, async () => {
    const dataDir = temporaryDir();
    const server = await start(dataDir);
    const writer = await newUser(server);
    const room = roomNames.user('default', writer.id);
    const a = connect(server, room, writer.token);
    const observer = connect(server, room, writer.token);
    await eventually(() => expect(a.synced && observer.synced).toBe(true));
    let written = 0;
    const timer = setInterval(() => {
      for (let index = 0; index < 5; index += 1) a.doc.getArray('log').push([written++]);
    }, 5);
    await eventually(() => expect(observer.doc.getArray('log').length).toBeGreaterThan(300), 15_000);
    await server.kill();
    clearInterval(timer);
    const seen = observer.doc.getArray<number>('log').toArray();
    a.destroy();
    observer.destroy();
    // Restart with the writers kept away; read the store directly and with a fresh client.
    const stored = storedDoc(dataDir, room).getArray<number>('log').toArray();
    for (const value of seen) expect(stored).toContain(value);
    const restarted = await start(dataDir);
    const fresh = connect(restarted, room, writer.token);
    await eventually(() => expect(fresh.synced).toBe(true));
    const freshLog = fresh.doc.getArray<number>('log').toArray();
    expect(freshLog.length).toBeGreaterThanOrEqual(seen.length);
    for (const value of seen) expect(freshLog).toContain(value);
    fresh.destroy();
  });
});
