/**
 * Versioned schema migrations for the embedded store, applied in order at start, each in its own
 * transaction. A database from a newer Plaza is refused rather than misread.
 */
import type { DatabaseSync } from 'node:sqlite';
import { LLM_LEDGER_SCHEMA } from '../../../shared/llm-ledger/schema.ts';

export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

/** The first schema with the `blobs` table: older databases had their images as files beside them. */
export const BLOBS_SCHEMA_VERSION = 5;

export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'rooms, intents, decisions, deadlines, ledger, directory',
    sql: `
      CREATE TABLE room_heads (room TEXT PRIMARY KEY, seq INTEGER NOT NULL) WITHOUT ROWID;
      CREATE TABLE room_updates (
        room TEXT NOT NULL, seq INTEGER NOT NULL, data BLOB NOT NULL, origin TEXT NOT NULL, created_at INTEGER NOT NULL,
        PRIMARY KEY (room, seq)) WITHOUT ROWID;
      CREATE TABLE room_snapshots (room TEXT PRIMARY KEY, seq INTEGER NOT NULL, data BLOB NOT NULL, updated_at INTEGER NOT NULL) WITHOUT ROWID;
      CREATE TABLE pending_intents (
        arrival INTEGER PRIMARY KEY AUTOINCREMENT,
        tenant TEXT NOT NULL, user TEXT NOT NULL, intent_id TEXT NOT NULL, kind TEXT NOT NULL, referee TEXT NOT NULL,
        envelope TEXT, problem TEXT, received_at INTEGER NOT NULL,
        UNIQUE (tenant, user, intent_id));
      CREATE INDEX pending_by_queue ON pending_intents (tenant, referee, arrival);
      CREATE TABLE decisions (
        tenant TEXT NOT NULL, user TEXT NOT NULL, intent_id TEXT NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL,
        decision TEXT NOT NULL, decided_at INTEGER NOT NULL,
        PRIMARY KEY (tenant, user, intent_id)) WITHOUT ROWID;
      CREATE TABLE deadlines (id TEXT PRIMARY KEY, tenant TEXT NOT NULL, referee TEXT NOT NULL, kind TEXT NOT NULL, fire_at INTEGER NOT NULL, payload TEXT NOT NULL);
      CREATE INDEX deadlines_by_time ON deadlines (fire_at);
      CREATE TABLE ledger (id INTEGER PRIMARY KEY AUTOINCREMENT, tenant TEXT NOT NULL, account TEXT NOT NULL, kind TEXT NOT NULL, amount INTEGER NOT NULL, ref TEXT NOT NULL, at INTEGER NOT NULL);
      CREATE INDEX ledger_by_account ON ledger (tenant, account, id);
      CREATE TABLE server_state (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE tenants (id TEXT PRIMARY KEY, name TEXT NOT NULL, policy TEXT NOT NULL, created_at INTEGER NOT NULL);
      CREATE TABLE users (
        id TEXT PRIMARY KEY, email TEXT UNIQUE COLLATE NOCASE, display_name TEXT NOT NULL, kind TEXT NOT NULL,
        password_hash TEXT, created_at INTEGER NOT NULL, last_seen_at INTEGER NOT NULL, deleted_at INTEGER);
      CREATE TABLE memberships (
        tenant TEXT NOT NULL REFERENCES tenants(id), user TEXT NOT NULL REFERENCES users(id), role TEXT NOT NULL, created_at INTEGER NOT NULL,
        PRIMARY KEY (tenant, user)) WITHOUT ROWID;
      CREATE INDEX memberships_by_user ON memberships (user);
    `,
  },
  {
    version: 2,
    description: 'accounts: logins, refresh tokens, invites, reset tokens',
    sql: `
      CREATE TABLE logins (
        sid TEXT PRIMARY KEY, user TEXT NOT NULL REFERENCES users(id), tenant TEXT NOT NULL REFERENCES tenants(id),
        client TEXT NOT NULL, user_agent TEXT, created_at INTEGER NOT NULL, last_used_at INTEGER NOT NULL, revoked_at INTEGER);
      CREATE INDEX logins_by_user ON logins (user, tenant);
      CREATE TABLE refresh_tokens (
        hash TEXT PRIMARY KEY, login TEXT NOT NULL REFERENCES logins(sid) ON DELETE CASCADE,
        issued_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, used_at INTEGER) WITHOUT ROWID;
      CREATE INDEX refresh_tokens_by_login ON refresh_tokens (login);
      CREATE INDEX refresh_tokens_by_expiry ON refresh_tokens (expires_at);
      CREATE TABLE invites (
        hash TEXT PRIMARY KEY, tenant TEXT NOT NULL REFERENCES tenants(id), role TEXT NOT NULL, created_by TEXT NOT NULL,
        created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, max_uses INTEGER NOT NULL, uses INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
      CREATE INDEX invites_by_expiry ON invites (expires_at);
      CREATE TABLE reset_tokens (
        hash TEXT PRIMARY KEY, user TEXT NOT NULL REFERENCES users(id), created_by TEXT,
        created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, used_at INTEGER) WITHOUT ROWID;
      CREATE INDEX reset_tokens_by_user ON reset_tokens (user);
      CREATE INDEX users_by_kind_last_seen ON users (kind, last_seen_at);
      CREATE INDEX decisions_by_user ON decisions (user);
    `,
  },
  {
    version: 3,
    description: 'LLM spend ledger: budget scopes, calls, chat sessions, alerts, kill switches, settings',
    sql: LLM_LEDGER_SCHEMA,
  },
  {
    version: 4,
    description: 'queue fences (lease epochs; one holder at a time even on one process) and deadlines by queue',
    sql: `
      CREATE TABLE queue_fences (queue TEXT PRIMARY KEY, epoch INTEGER NOT NULL, holder TEXT NOT NULL, updated_at INTEGER NOT NULL) WITHOUT ROWID;
      CREATE INDEX deadlines_by_queue ON deadlines (tenant, referee);
    `,
  },
  {
    version: BLOBS_SCHEMA_VERSION,
    description: 'blobs (product images) in the store, content-addressed per tenant; the files of the previous version are imported at start',
    sql: `
      CREATE TABLE blobs (
        tenant TEXT NOT NULL, hash TEXT NOT NULL, mime TEXT NOT NULL, size INTEGER NOT NULL, data BLOB NOT NULL, created_at INTEGER NOT NULL,
        PRIMARY KEY (tenant, hash),
        CHECK (length(hash) = 64 AND size = length(data)));
    `,
  },
];

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

export function schemaVersion(db: DatabaseSync): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  const row = db.prepare('SELECT MAX(version) AS version FROM schema_migrations').get() as { version: number | null };
  return row.version ?? 0;
}

export function migrate(db: DatabaseSync, migrations: readonly Migration[]): number {
  const current = schemaVersion(db);
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new MigrationError(`the data directory was written by a newer Plaza (schema ${current}, this version knows ${latest}); update Plaza`);
  }
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations(version, description, applied_at) VALUES (?, ?, ?)').run(migration.version, migration.description, Date.now());
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw new MigrationError(`migration ${migration.version} (${migration.description}) failed: ${(error as Error).message}`);
    }
  }
  return latest;
}
