/**
 * Postgres schema migrations against a real Postgres: from an empty database, from the previous
 * version with data in it, several processes migrating at once, and a database from a newer Plaza.
 * Also what only a shared store needs: crash recovery of LLM calls leaves live processes' calls.
 */
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { ensureInfra, freshDatabase } from '../../test-support/infra.ts';
import { migrate, MigrationError, schemaVersion, SQLITE_MIGRATIONS } from '../sqlite-migrations.ts';
import { migratePostgres, POSTGRES_MIGRATIONS, postgresSchemaVersion } from './migrations.ts';
import { PostgresStore } from './postgres-store.ts';

const LATEST = POSTGRES_MIGRATIONS.at(-1)!.version;

async function pool(): Promise<pg.Pool> {
  return new pg.Pool({ connectionString: await freshDatabase(await ensureInfra(), 'migrate'), max: 8 });
}

async function version(target: pg.Pool): Promise<number> {
  const client = await target.connect();
  try {
    return await postgresSchemaVersion(client);
  } finally {
    client.release();
  }
}

describe('Postgres migrations', () => {
  it('migrate an empty database to the latest schema; again is a no-op', async () => {
    const target = await pool();
    try {
      expect(await migratePostgres(target)).toBe(LATEST);
      expect(await migratePostgres(target)).toBe(LATEST);
      expect(await version(target)).toBe(LATEST);
      const { rows } = await target.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM schema_migrations');
      expect(rows[0]!.n).toBe(POSTGRES_MIGRATIONS.length);
    } finally {
      await target.end();
    }
  });

  it('upgrade a database of the previous version and keep its rows', async () => {
    const target = await pool();
    try {
      expect(await migratePostgres(target, POSTGRES_MIGRATIONS, LATEST - 1)).toBe(LATEST - 1);
      await target.query("INSERT INTO room_heads(room, seq) VALUES ('t/a/catalog', 2)");
      await target.query("INSERT INTO room_updates(room, seq, data, origin, created_at) VALUES ('t/a/catalog', 1, '\\x01', '{}', 1), ('t/a/catalog', 2, '\\x02', '{}', 2)");
      await target.query("INSERT INTO tenants(id, name, policy, created_at) VALUES ('a', 'A', '{}', 1)");
      expect(await migratePostgres(target)).toBe(LATEST);
      const { rows } = await target.query<{ n: number }>("SELECT COUNT(*)::int AS n FROM room_updates WHERE room = 't/a/catalog'");
      expect(rows[0]!.n).toBe(2);
      expect((await target.query('SELECT * FROM tenants')).rows).toHaveLength(1);
      await target.query("INSERT INTO queue_fences(queue, epoch, holder, updated_at) VALUES ('q', 1, 'p', 1)");
      // Schema 3: blobs, whose size must be that of the bytes and whose hash is a sha256.
      await target.query("INSERT INTO blobs(tenant, hash, mime, size, data, created_at) VALUES ('a', repeat('a', 64), 'image/png', 2, '\\x0102', 1)");
      await expect(target.query("INSERT INTO blobs(tenant, hash, mime, size, data, created_at) VALUES ('a', repeat('b', 64), 'image/png', 3, '\\x0102', 1)")).rejects.toThrow(/check constraint/);
      expect((await target.query("SELECT attstorage FROM pg_attribute WHERE attrelid = 'blobs'::regclass AND attname = 'data'")).rows[0]).toEqual({ attstorage: 'e' });
    } finally {
      await target.end();
    }
  });

  it('several processes starting at once apply each migration exactly once', async () => {
    const target = await pool();
    try {
      const results = await Promise.all(Array.from({ length: 4 }, () => migratePostgres(target)));
      expect(results).toEqual([LATEST, LATEST, LATEST, LATEST]);
      const { rows } = await target.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM schema_migrations');
      expect(rows[0]!.n).toBe(POSTGRES_MIGRATIONS.length);
    } finally {
      await target.end();
    }
  });

  it('refuse a database written by a newer Plaza, and roll a failed migration back whole', async () => {
    const target = await pool();
    try {
      await migratePostgres(target);
      await target.query("INSERT INTO schema_migrations(version, description, applied_at) VALUES (999, 'from the future', 0)");
      await expect(migratePostgres(target)).rejects.toThrow(/newer Plaza/);
      const broken = [...POSTGRES_MIGRATIONS.slice(0, 1), { version: 2, description: 'broken', sql: 'CREATE TABLE half (x INT); SELECT nonsense FROM nowhere;' }];
      const fresh = await pool();
      try {
        await expect(migratePostgres(fresh, broken)).rejects.toThrow(MigrationError);
        expect(await version(fresh)).toBe(0);
        expect((await fresh.query("SELECT to_regclass('room_heads') AS t")).rows[0].t).toBeNull();
      } finally {
        await fresh.end();
      }
    } finally {
      await target.end();
    }
  });

  it('crash recovery settles only the open LLM calls of processes that are not alive', async () => {
    const url = await freshDatabase(await ensureInfra(), 'recover');
    const alive = await PostgresStore.open({ url, processId: 'alive', poolSize: 2 });
    const dead = await PostgresStore.open({ url, processId: 'dead', poolSize: 2 });
    try {
      const insert = (id: string, owner: string) =>
        alive.pool.query(
          `INSERT INTO llm_calls(id, tenant, user_id, session, model, day, stream, admitted_at, prompt_tokens_counted, prompt_tokens_reserved, clamped_max_tokens, choices, reserved, scope_keys, status, owner)
           VALUES ($1, 't', 'u', 's', 'gpt-4o', '2026-11-25', 0, 1, 1, 1, 1, 1, 10, '[]', 'open', $2)`,
          [id, owner],
        );
      await insert('c-alive', 'alive');
      await insert('c-dead', 'dead');
      const guards = { idleMs: 1, maxCallsPerMinute: 1, maxCallsPerInput: 1, loopThreshold: 2, maxSessionMs: 1, maxSessionSpendMicroUsd: 1 } as never;
      const recovered = await alive.llm.recoverOpenCalls(2, guards, ['alive']);
      expect(recovered.calls.map((call) => call.callId)).toEqual(['c-dead']);
      expect((await alive.llm.call('c-alive'))?.status).toBe('open');
      expect((await alive.llm.call('c-dead'))).toMatchObject({ status: 'settled', recovered: true, chargedMicroUsd: 10 });
    } finally {
      await alive.close();
      await dead.close();
    }
  });
});

describe('SQLite migrations from the previous version', () => {
  it('upgrade a database of the previous version to the latest, keeping its rows; blobs then hold bytes of their declared size only', () => {
    const db = new DatabaseSync(':memory:');
    migrate(db, SQLITE_MIGRATIONS.slice(0, -1));
    expect(schemaVersion(db)).toBe(SQLITE_MIGRATIONS.at(-2)!.version);
    db.prepare("INSERT INTO queue_fences(queue, epoch, holder, updated_at) VALUES ('q', 1, 'p', 1)").run();
    expect(migrate(db, SQLITE_MIGRATIONS)).toBe(SQLITE_MIGRATIONS.at(-1)!.version);
    expect(db.prepare('SELECT COUNT(*) AS n FROM queue_fences').get()).toEqual({ n: 1 });
    const insert = db.prepare("INSERT INTO blobs(tenant, hash, mime, size, data, created_at) VALUES ('a', ?, 'image/png', ?, ?, 1)");
    insert.run('a'.repeat(64), 2, new Uint8Array([1, 2]));
    expect(() => insert.run('b'.repeat(64), 3, new Uint8Array([1, 2]))).toThrow(/CHECK constraint/);
    expect(() => insert.run('a'.repeat(64), 2, new Uint8Array([1, 2]))).toThrow(/UNIQUE|PRIMARY/);
  });

  it('upgrade a version-3 database to the latest, keeping its rows', () => {
    const db = new DatabaseSync(':memory:');
    migrate(db, SQLITE_MIGRATIONS.slice(0, 3));
    expect(schemaVersion(db)).toBe(3);
    db.prepare("INSERT INTO deadlines(id, tenant, referee, kind, fire_at, payload) VALUES ('d', 't', 'r', 'k', 1, 'null')").run();
    expect(migrate(db, SQLITE_MIGRATIONS)).toBe(SQLITE_MIGRATIONS.at(-1)!.version);
    expect(db.prepare('SELECT COUNT(*) AS n FROM deadlines').get()).toEqual({ n: 1 });
    db.prepare("INSERT INTO queue_fences(queue, epoch, holder, updated_at) VALUES ('q', 1, 'p', 1)").run();
  });
});
