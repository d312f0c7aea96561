/**
 * Direct mode's durable ledger: a `node:sqlite` file in the app's data folder, holding the same
 * tables and running the same `LlmLedger` as the server. One main process serves every window,
 * and each reservation is one synchronous transaction, so windows cannot double-spend.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { LlmLedger } from '../../../shared/llm-ledger/ledger.ts';
import { LLM_LEDGER_SCHEMA } from '../../../shared/llm-ledger/schema.ts';

const SCHEMA_VERSION = 1;

export interface DirectLedgerHandle {
  readonly ledger: LlmLedger;
  readonly db: DatabaseSync;
  close(): void;
}

export function openDirectLedger(file: string): DirectLedgerHandle {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const db = new DatabaseSync(file);
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = NORMAL');
  db.exec('PRAGMA busy_timeout = 5000');
  const version = Number((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version);
  if (version > SCHEMA_VERSION) {
    db.close();
    throw new Error(`the AI ledger (${path.basename(file)}) was written by a newer Plaza; update the app`);
  }
  if (version < SCHEMA_VERSION) {
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec(LLM_LEDGER_SCHEMA);
      db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      db.close();
      throw error;
    }
  }
  return { ledger: new LlmLedger(db), db, close: () => db.close() };
}
