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

/** How deep each database is in `immediateTransaction` calls (0 or absent: none open). */
const depths = new WeakMap<SqlDatabase, number>();

/**
 * Runs `fn` in one `BEGIN IMMEDIATE` transaction (the write lock is taken up front, so a check
 * and the insert it allows cannot be split by another writer). `fn` must be synchronous.
 *
 * Called inside another `immediateTransaction` on the same database (a group commit running
 * several ledger operations in one transaction), it runs `fn` in a SAVEPOINT instead: all of `fn`
 * or none of it, committed with the enclosing transaction.
 */
export function immediateTransaction<T>(db: SqlDatabase, fn: () => T): T {
  const depth = depths.get(db) ?? 0;
  if (depth > 0) return inSavepoint(db, depth, fn);
  db.exec('BEGIN IMMEDIATE');
  depths.set(db, 1);
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
  } finally {
    depths.delete(db);
  }
}

function inSavepoint<T>(db: SqlDatabase, depth: number, fn: () => T): T {
  const name = `nested_${depth}`;
  db.exec(`SAVEPOINT ${name}`);
  depths.set(db, depth + 1);
  try {
    const result = fn();
    db.exec(`RELEASE ${name}`);
    return result;
  } catch (error) {
    // Undo only this level; the enclosing transaction decides about the rest. If the rollback
    // itself fails the enclosing transaction is broken, and its own failure rolls everything back.
    try {
      db.exec(`ROLLBACK TO ${name}`);
      db.exec(`RELEASE ${name}`);
    } catch {
      // the original error matters
    }
    throw error;
  } finally {
    depths.set(db, depth);
  }
}

export const int = (value: unknown): number => Number(value ?? 0);
export const text = (value: unknown): string => String(value ?? '');
export const nullableInt = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));
export const nullableText = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));
