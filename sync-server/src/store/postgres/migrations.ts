/**
 * Versioned schema migrations for the Postgres store, applied in order at start, each in its own
 * transaction, under a transaction-scoped advisory lock so that several server processes starting
 * at once apply each migration exactly once. A database from a newer Plaza is refused.
 * Column names differ from SQLite's where Postgres reserves the word (`user` → `user_id`).
 */
import type pg from 'pg';
import { LLM_LEDGER_PG_SCHEMA } from '../../../../shared/llm-ledger/async-ledger.ts';
import { MigrationError, type Migration } from '../sqlite-migrations.ts';

/** Any constant: the advisory lock that serializes migrations between processes. */
const MIGRATION_LOCK = 715_212_001;

export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'rooms, intents, decisions, deadlines, ledger, directory, accounts, LLM spend ledger',
    sql: `
      CREATE TABLE room_heads (room TEXT PRIMARY KEY, seq BIGINT NOT NULL);
      CREATE TABLE room_updates (
        room TEXT NOT NULL, seq BIGINT NOT NULL, data BYTEA NOT NULL, origin TEXT NOT NULL, created_at BIGINT NOT NULL,
        PRIMARY KEY (room, seq));
      CREATE TABLE room_snapshots (room TEXT PRIMARY KEY, seq BIGINT NOT NULL, data BYTEA NOT NULL, updated_at BIGINT NOT NULL);
      CREATE TABLE pending_intents (
        arrival BIGSERIAL PRIMARY KEY,
        tenant TEXT NOT NULL, user_id TEXT NOT NULL, intent_id TEXT NOT NULL, kind TEXT NOT NULL, referee TEXT NOT NULL,
        envelope TEXT, problem TEXT, received_at BIGINT NOT NULL,
        UNIQUE (tenant, user_id, intent_id));
      CREATE INDEX pending_by_queue ON pending_intents (tenant, referee, arrival);
      CREATE TABLE decisions (
        tenant TEXT NOT NULL, user_id TEXT NOT NULL, intent_id TEXT NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL,
        decision TEXT NOT NULL, decided_at BIGINT NOT NULL,
        PRIMARY KEY (tenant, user_id, intent_id));
      CREATE INDEX decisions_by_user ON decisions (user_id);
      CREATE TABLE deadlines (id TEXT PRIMARY KEY, tenant TEXT NOT NULL, referee TEXT NOT NULL, kind TEXT NOT NULL, fire_at BIGINT NOT NULL, payload TEXT NOT NULL);
      CREATE INDEX deadlines_by_time ON deadlines (fire_at);
      CREATE INDEX deadlines_by_queue ON deadlines (tenant, referee);
      CREATE TABLE ledger (id BIGSERIAL PRIMARY KEY, tenant TEXT NOT NULL, account TEXT NOT NULL, kind TEXT NOT NULL, amount BIGINT NOT NULL, ref TEXT NOT NULL, at BIGINT NOT NULL);
      CREATE INDEX ledger_by_account ON ledger (tenant, account, id);
      CREATE TABLE server_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE tenants (id TEXT PRIMARY KEY, name TEXT NOT NULL, policy TEXT NOT NULL, created_at BIGINT NOT NULL);
      CREATE TABLE users (
        id TEXT PRIMARY KEY, email TEXT, display_name TEXT NOT NULL, kind TEXT NOT NULL,
        password_hash TEXT, created_at BIGINT NOT NULL, last_seen_at BIGINT NOT NULL, deleted_at BIGINT);
      CREATE UNIQUE INDEX users_email ON users (lower(email));
      CREATE INDEX users_by_kind_last_seen ON users (kind, last_seen_at);
      CREATE TABLE memberships (
        tenant TEXT NOT NULL REFERENCES tenants(id), user_id TEXT NOT NULL REFERENCES users(id), role TEXT NOT NULL, created_at BIGINT NOT NULL,
        PRIMARY KEY (tenant, user_id));
      CREATE INDEX memberships_by_user ON memberships (user_id);
      CREATE TABLE logins (
        sid TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id), tenant TEXT NOT NULL REFERENCES tenants(id),
        client TEXT NOT NULL, user_agent TEXT, created_at BIGINT NOT NULL, last_used_at BIGINT NOT NULL, revoked_at BIGINT);
      CREATE INDEX logins_by_user ON logins (user_id, tenant);
      CREATE TABLE refresh_tokens (
        hash TEXT PRIMARY KEY, login TEXT NOT NULL REFERENCES logins(sid) ON DELETE CASCADE,
        issued_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, used_at BIGINT);
      CREATE INDEX refresh_tokens_by_login ON refresh_tokens (login);
      CREATE INDEX refresh_tokens_by_expiry ON refresh_tokens (expires_at);
      CREATE TABLE invites (
        hash TEXT PRIMARY KEY, tenant TEXT NOT NULL REFERENCES tenants(id), role TEXT NOT NULL, created_by TEXT NOT NULL,
        created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, max_uses INTEGER NOT NULL, uses INTEGER NOT NULL DEFAULT 0);
      CREATE INDEX invites_by_expiry ON invites (expires_at);
      CREATE TABLE reset_tokens (
        hash TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id), created_by TEXT,
        created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, used_at BIGINT);
      CREATE INDEX reset_tokens_by_user ON reset_tokens (user_id);
      ${LLM_LEDGER_PG_SCHEMA}
    `,
  },
  {
    version: 2,
    description: 'cluster: queue fences (lease epochs) so that a process that lost a lease cannot write',
    sql: `
      CREATE TABLE queue_fences (queue TEXT PRIMARY KEY, epoch BIGINT NOT NULL, holder TEXT NOT NULL, updated_at BIGINT NOT NULL);
    `,
  },
  {
    version: 3,
    description: 'blobs (product images) in the store, content-addressed per tenant, so that every process serves every image',
    sql: `
      CREATE TABLE blobs (
        tenant TEXT NOT NULL, hash TEXT NOT NULL, mime TEXT NOT NULL, size INTEGER NOT NULL, data BYTEA NOT NULL, created_at BIGINT NOT NULL,
        PRIMARY KEY (tenant, hash),
        CHECK (length(hash) = 64 AND size = octet_length(data)));
      -- Images are compressed already: keep them out of line without trying to compress them again.
      ALTER TABLE blobs ALTER COLUMN data SET STORAGE EXTERNAL;
    `,
  },
];

export async function postgresSchemaVersion(client: pg.ClientBase): Promise<number> {
  await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at BIGINT NOT NULL)');
  const { rows } = await client.query<{ version: number | null }>('SELECT MAX(version) AS version FROM schema_migrations');
  return Number(rows[0]?.version ?? 0);
}

/** Applies every migration newer than the database, up to `upto` (tests stop early to test upgrades). */
export async function migratePostgres(pool: pg.Pool, migrations: readonly Migration[] = POSTGRES_MIGRATIONS, upto = Infinity): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      const current = await postgresSchemaVersion(client);
      const latest = migrations.at(-1)?.version ?? 0;
      if (current > latest) throw new MigrationError(`the database was written by a newer Plaza (schema ${current}, this version knows ${latest}); update Plaza`);
      for (const migration of migrations) {
        if (migration.version <= current || migration.version > upto) continue;
        try {
          await client.query('SAVEPOINT migration');
          await client.query(migration.sql);
          await client.query('INSERT INTO schema_migrations(version, description, applied_at) VALUES ($1, $2, $3)', [migration.version, migration.description, Date.now()]);
          await client.query('RELEASE SAVEPOINT migration');
        } catch (error) {
          throw new MigrationError(`migration ${migration.version} (${migration.description}) failed: ${(error as Error).message}`);
        }
      }
      await client.query('COMMIT');
      return Math.min(latest, upto);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  } finally {
    client.release();
  }
}
