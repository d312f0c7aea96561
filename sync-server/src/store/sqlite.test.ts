import { statSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { eventually, temporaryDir } from '../test-support/harness.ts';
import { migrate, MigrationError, schemaVersion, SQLITE_MIGRATIONS } from './sqlite-migrations.ts';
import { SqliteStore } from './sqlite.ts';
import { AlreadyDecidedError } from './types.ts';

const origin = { kind: 'server', reason: 'test' } as const;

describe('embedded SQLite store', () => {
  it('migrates an empty database to the latest schema, and again is a no-op', () => {
    const db = new DatabaseSync(':memory:');
    expect(migrate(db, SQLITE_MIGRATIONS)).toBe(SQLITE_MIGRATIONS.at(-1)!.version);
    expect(migrate(db, SQLITE_MIGRATIONS)).toBe(SQLITE_MIGRATIONS.at(-1)!.version);
    expect(schemaVersion(db)).toBe(SQLITE_MIGRATIONS.at(-1)!.version);
  });

  it('refuses a database written by a newer Plaza', () => {
    const db = new DatabaseSync(':memory:');
    migrate(db, SQLITE_MIGRATIONS);
    db.prepare('INSERT INTO schema_migrations(version, description, applied_at) VALUES (999, ?, 0)').run('from the future');
    expect(() => migrate(db, SQLITE_MIGRATIONS)).toThrow(MigrationError);
    expect(() => migrate(db, SQLITE_MIGRATIONS)).toThrow(/newer Plaza/);
  });

  it('numbers appends per room, compacts into a snapshot, and loads snapshot + tail', async () => {
    const store = SqliteStore.open(temporaryDir());
    expect((await store.rooms.appendUpdate({ room: 'r/a', data: new Uint8Array([1]), origin })).seq).toBe(1);
    expect((await store.rooms.appendUpdate({ room: 'r/a', data: new Uint8Array([2]), origin })).seq).toBe(2);
    expect((await store.rooms.appendUpdate({ room: 'r/b', data: new Uint8Array([9]), origin })).seq).toBe(1);
    await store.rooms.compact('r/a', new Uint8Array([7, 7]), 2);
    expect((await store.rooms.appendUpdate({ room: 'r/a', data: new Uint8Array([3]), origin })).seq).toBe(3);
    const loaded = await store.rooms.load('r/a');
    expect(loaded).toEqual({ snapshot: new Uint8Array([7, 7]), snapshotSeq: 2, updates: [{ seq: 3, data: new Uint8Array([3]) }] });
    expect(await store.rooms.listRooms('r/')).toEqual(['r/a', 'r/b']);
    await store.close();
  });

  it('ingests an intent once (first content wins) and never again after its decision', async () => {
    const store = SqliteStore.open(temporaryDir());
    const intent = { tenant: 't', user: 'u', intentId: 'i_12345678', kind: 'test.echo', referee: 'test', envelope: '{"a":1}', problem: null, receivedAt: 1 };
    expect((await store.rooms.appendUpdate({ room: 'x', data: new Uint8Array([1]), origin }, [intent])).queued).toBe(1);
    expect((await store.rooms.appendUpdate({ room: 'x', data: new Uint8Array([2]), origin }, [{ ...intent, envelope: '{"a":2}' }])).queued).toBe(0);
    const [pending] = await store.intents.pending('t', 'test', 10);
    expect(pending?.envelope).toBe('{"a":1}');
    const decision = { tenant: 't', user: 'u', intentId: 'i_12345678', kind: 'test.echo', status: 'accepted', decision: '{}', decidedAt: 2 };
    await store.intents.commit({ updates: [], decisions: [decision], consumed: [pending!.arrival], deadlinesSet: [], deadlinesCleared: [], ledger: [] });
    expect((await store.rooms.appendUpdate({ room: 'x', data: new Uint8Array([3]), origin }, [intent])).queued).toBe(0);
    await expect(store.intents.commit({ updates: [{ room: 'x', data: new Uint8Array([4]), origin }], decisions: [decision], consumed: [], deadlinesSet: [], deadlinesCleared: [], ledger: [] })).rejects.toThrow(AlreadyDecidedError);
    // The failed commit wrote nothing.
    expect((await store.rooms.load('x')).updates.map((update) => update.seq)).toEqual([1, 2, 3]);
    await store.close();
  });

  it('checkpoints the WAL from a worker thread', async () => {
    const dir = temporaryDir();
    const store = SqliteStore.open(dir, 'plaza.db', { checkpointEveryMs: 50 });
    const before = statSync(path.join(dir, 'plaza.db')).size;
    for (let index = 0; index < 300; index += 1) await store.rooms.appendUpdate({ room: `r/${index}`, data: new Uint8Array(512), origin });
    await eventually(() => expect(statSync(path.join(dir, 'plaza.db')).size).toBeGreaterThan(before + 100_000), 5000);
    await store.close();
  });

  it('keeps the WAL bounded while writes go on: restarts it, trims the file, loses nothing', async () => {
    const dir = temporaryDir();
    const limit = 2 ** 20;
    const store = SqliteStore.open(dir, 'plaza.db', { checkpointEveryMs: 10, walLimitBytes: limit });
    const wal = path.join(dir, 'plaza.db-wal');
    await store.checkpointerReady;
    let rounds = 0;
    let written = 0;
    /** The WAL file's size one round after each restart the checkpointer reported. */
    const afterRestarts: number[] = [];
    let check = false;
    // No pause between writes for a PASSIVE checkpoint to catch up on its own: each round is
    // appended as soon as the one before committed (the way a loaded server writes).
    while (rounds < 4000 && afterRestarts.length < 3) {
      const restarts = store.walRestarts.complete;
      await Promise.all(Array.from({ length: 8 }, (_, room) => store.rooms.appendUpdate({ room: `r/${room}`, data: new Uint8Array(8192).fill(rounds % 251), origin })));
      rounds += 1;
      written += 8 * 8192;
      if (check) afterRestarts.push(statSync(wal).size);
      check = store.walRestarts.complete > restarts;
    }
    expect(afterRestarts).toHaveLength(3);
    expect(written).toBeGreaterThan(3 * limit);
    // Each restart trimmed the file to the limit (journal_size_limit); at most two rounds of
    // frames (~150 KiB each: the blobs' overflow pages, the b-tree leaves) came after it.
    for (const size of afterRestarts) expect(size).toBeLessThanOrEqual(limit + 2 ** 20);
    // Writes held back while the checkpointer caught up were all stored, in order.
    const loaded = await store.rooms.load('r/0');
    expect(loaded.updates.map((update) => update.seq)).toEqual(Array.from({ length: rounds }, (_, index) => index + 1));
    await store.close();
  });
});
