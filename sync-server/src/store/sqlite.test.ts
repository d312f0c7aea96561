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
});
