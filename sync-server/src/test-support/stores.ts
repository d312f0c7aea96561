/**
 * The stores that the same tests run against: the embedded SQLite store and a Postgres store on
 * the run's throwaway Postgres (a fresh database per call).
 */
import { randomBytes } from 'node:crypto';
import { PostgresStore } from '../store/postgres/postgres-store.ts';
import { SqliteStore } from '../store/sqlite.ts';
import type { Store } from '../store/types.ts';
import { temporaryDir } from './harness.ts';
import { ensureInfra, freshDatabase } from './infra.ts';

export const STORE_KINDS = ['sqlite', 'postgres'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

export async function openTestStore(kind: StoreKind, processId = `p-${randomBytes(4).toString('hex')}`): Promise<Store> {
  if (kind === 'sqlite') return SqliteStore.open(temporaryDir());
  const url = await freshDatabase(await ensureInfra(), 'store');
  return PostgresStore.open({ url, processId, poolSize: 5 });
}

/** Server config overrides that put a test server on a fresh Postgres database (and nothing for SQLite). */
export async function storeOverrides(kind: StoreKind): Promise<{ databaseUrl?: string }> {
  if (kind === 'sqlite') return {};
  return { databaseUrl: await freshDatabase(await ensureInfra(), 'server') };
}
