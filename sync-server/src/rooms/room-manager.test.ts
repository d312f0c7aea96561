import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { roomNames } from '../../../shared/sync/rooms.ts';
import { createLogger } from '../log.ts';
import { createMetrics } from '../metrics.ts';
import { SqliteStore } from '../store/sqlite.ts';
import type { WriteOrigin } from '../store/types.ts';
import { temporaryDir } from '../test-support/harness.ts';
import type { Room, RoomPeer } from './room.ts';
import { type ClientUpdateHooks, type KeyChanges, RoomManager } from './room-manager.ts';

const origin: WriteOrigin = { kind: 'client', user: 'u', connection: 'c1' };

function peer(id: string): RoomPeer & { readonly received: Uint8Array[] } {
  const received: Uint8Array[] = [];
  return { id, isPlaza: false, received, send: (message) => received.push(message) };
}

/** Each update a client doc makes, in order. */
function updatesOf(change: (doc: Y.Doc) => void, doc: Y.Doc): Uint8Array {
  let update: Uint8Array | null = null;
  const take = (data: Uint8Array) => (update = data);
  doc.on('update', take);
  doc.transact(() => change(doc));
  doc.off('update', take);
  if (update === null) throw new Error('the change made no update');
  return update;
}

describe('RoomManager: client updates that arrive together', () => {
  let store: SqliteStore | null = null;
  afterEach(async () => {
    await store?.close();
    store = null;
  });

  /** A manager on a fresh store with the user's outbox loaded and its writer attached; `before`: updates stored so far. */
  async function outboxWithWriter(hooks?: ClientUpdateHooks) {
    const opened = SqliteStore.open(temporaryDir());
    store = opened;
    const manager = new RoomManager({ store: opened, logger: createLogger('silent'), metrics: createMetrics(), idleUnloadMs: 60_000, compactEvery: 1_000 });
    if (hooks) manager.hooks = hooks;
    const name = roomNames.outbox('t', 'u');
    const room = await manager.acquire(name);
    const writer = peer('writer');
    manager.attach(room, writer);
    const storedLog = async () => (await opened.rooms.load(name)).updates;
    return { manager, room, writer, storedLog, before: (await storedLog()).length };
  }

  it('applies, reads and stores each in arrival order, in one batch, and publishes the batch once', async () => {
    const seen: Array<{ keys: string[]; values: unknown[] }> = [];
    const stored: Array<{ keys: string[]; queued: number }> = [];
    const hooks: ClientUpdateHooks = {
      watchedMap: () => 'intents',
      intentsFor: (room: Room, changes: KeyChanges) => {
        // What the map holds when this update's intents are read: only this update and those before it.
        seen.push({ keys: [...changes.upserted], values: changes.upserted.map((key) => room.doc.getMap('intents').get(key)) });
        return [];
      },
      afterStore: (_room, changes, queued) => stored.push({ keys: [...changes.upserted], queued }),
    };
    const { manager, room, writer, storedLog, before } = await outboxWithWriter(hooks);
    const reader = peer('reader');
    manager.attach(room, reader);

    const client = new Y.Doc();
    const updates = [
      updatesOf((doc) => doc.getMap('intents').set('a', 1), client),
      updatesOf((doc) => doc.getMap('intents').set('a', 2), client),
      updatesOf((doc) => doc.getMap('intents').set('b', 3), client),
    ];
    // All three in one turn, as when one socket read carries several messages.
    const results = await Promise.all(updates.map((update) => manager.applyClientUpdate(room, update, writer, origin)));

    expect(results).toEqual([true, true, true]);
    expect(seen).toEqual([
      { keys: ['a'], values: [1] },
      { keys: ['a'], values: [2] },
      { keys: ['b'], values: [3] },
    ]);
    // Checked against the room after the batch: 'a' once, with its last writer.
    expect(stored).toEqual([
      { keys: [], queued: 0 },
      { keys: ['a'], queued: 0 },
      { keys: ['b'], queued: 0 },
    ]);
    const log = (await storedLog()).slice(before);
    expect(log.map((entry) => entry.data)).toEqual(updates);
    expect(log.map((entry) => entry.seq)).toEqual([before + 1, before + 2, before + 3]);
    // One message for the batch, to everyone but its writer; it carries all three.
    expect(writer.received).toHaveLength(0);
    expect(reader.received).toHaveLength(1);
    expect(room.doc.getMap('intents').toJSON()).toEqual({ a: 2, b: 3 });
    await manager.shutdown();
  });

  it('with no one else in the room an update is not re-encoded, yet what is new (insertions, deletions, structs waiting for others) is told from what is not', async () => {
    const { manager, room, writer, storedLog, before } = await outboxWithWriter();
    const client = new Y.Doc();
    const set = updatesOf((doc) => doc.getMap('intents').set('a', 1), client);
    const removal = updatesOf((doc) => doc.getMap('intents').delete('a'), client);
    const skipped = updatesOf((doc) => doc.getMap('intents').set('b', 2), client);
    const waiting = updatesOf((doc) => doc.getMap('intents').set('c', 3), client);
    // Yjs encodes a transaction's update only if someone listens for 'update' when it ends.
    const listened: boolean[] = [];
    const observers = (room.doc as unknown as { _observers: Map<string, unknown> })._observers;
    const note = (transaction: Y.Transaction) => {
      if (transaction.origin === writer) listened.push(observers.has('update'));
    };
    room.doc.on('afterTransaction', note);
    expect(await manager.applyClientUpdate(room, set, writer, origin)).toBe(true);
    expect(await manager.applyClientUpdate(room, set, writer, origin)).toBe(false);
    expect(await manager.applyClientUpdate(room, removal, writer, origin)).toBe(true);
    // Its structs wait for `skipped`: nothing visible changed, but it must be stored.
    expect(await manager.applyClientUpdate(room, waiting, writer, origin)).toBe(true);
    expect(listened).toEqual([false, false, false, false]);
    const log = (await storedLog()).slice(before);
    expect(log.map((entry) => entry.data)).toEqual([set, removal, waiting]);
    expect(writer.received).toHaveLength(0);
    // Someone to tell: the next update is encoded and relayed to them.
    const reader = peer('reader');
    manager.attach(room, reader);
    listened.length = 0;
    expect(await manager.applyClientUpdate(room, skipped, writer, origin)).toBe(true);
    expect(listened).toEqual([true]);
    expect(reader.received).toHaveLength(1);
    room.doc.off('afterTransaction', note);
    expect(room.doc.getMap('intents').toJSON()).toEqual({ b: 2, c: 3 });
    await manager.shutdown();
  });

  it('a malformed update in a batch fails alone; the others are stored', async () => {
    const { manager, room, writer, storedLog, before } = await outboxWithWriter();
    const client = new Y.Doc();
    const good = updatesOf((doc) => doc.getMap('intents').set('a', 1), client);
    const later = updatesOf((doc) => doc.getMap('intents').set('b', 2), client);
    const outcomes = await Promise.allSettled([
      manager.applyClientUpdate(room, good, writer, origin),
      manager.applyClientUpdate(room, new Uint8Array([255, 255, 255]), writer, origin),
      manager.applyClientUpdate(room, later, writer, origin),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((await storedLog()).slice(before).map((entry) => entry.data)).toEqual([good, later]);
    await manager.shutdown();
  });
});
