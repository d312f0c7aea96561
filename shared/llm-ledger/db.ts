/**
 * The smallest database the LLM ledger needs, described by its shape so that `shared/` imports no
 * driver: `node:sqlite`'s `DatabaseSync` (the server's embedded store, Electron's main process)
 * fits it as is. Every method is synchronous: a transaction runs with no `await` inside, so one
 * process cannot interleave two reservations, and the write lock stops other processes.
 */
export type SqlValue = null | number | bigint | string | Uint8Array;

export interface SqlStatement {
  run(...params: SqlValue[]): { readonly changes: number | bigint };
  get(...params: SqlValue[]): unknown;
  all(...params: SqlValue[]): unknown[];
}

export interface SqlDatabase {
  exec(sql: string): void;
  prepare(sql: string): SqlStatement;
}

export type SqlRow = Readonly<Record<string, unknown>>;

/** Prepared statements, prepared once per SQL text. */
export class StatementCache {
  private readonly db: SqlDatabase;
  private readonly cache = new Map<string, SqlStatement>();

  constructor(db: SqlDatabase) {
    this.db = db;
  }

  get(sql: string): SqlStatement {
    let statement = this.cache.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.cache.set(sql, statement);
    }
    return statement;
  }

  clear(): void {
    this.cache.clear();
  }
}

/**
 * Runs `fn` in one `BEGIN IMMEDIATE` transaction (the write lock is taken up front, so a check
 * and the insert it allows cannot be split by another writer). `fn` must be synchronous.
 */
export function immediateTransaction<T>(db: SqlDatabase, fn: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = fn();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    try {
      db.exec('ROLLBACK');
    } catch {
      // the transaction may already be gone (e.g. the disk failed); the original error matters
    }
    throw error;
  }
}

export const int = (value: unknown): number => Number(value ?? 0);
export const text = (value: unknown): string => String(value ?? '');
export const nullableInt = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));
export const nullableText = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));
