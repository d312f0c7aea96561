/**
 * The local database: one RxDB database per (server, tenant, user), created once outside React.
 * The storage is injected: Dexie (IndexedDB) in the renderer, memory or localStorage in Node.
 */
import { createRxDatabase, type RxCollection, type RxDatabase, type RxStorage } from 'rxdb';
import { COLLECTION_NAMES, SCHEMAS, type CollectionName, type IntentRecord, type KvRecord, type ProjectedRecord, type YDocRow } from './collections.ts';

export interface PlazaCollections {
  ydocs: RxCollection<YDocRow>;
  intents: RxCollection<IntentRecord>;
  products: RxCollection<ProjectedRecord>;
  orders: RxCollection<ProjectedRecord>;
  chat_threads: RxCollection<ProjectedRecord>;
  chat_messages: RxCollection<ProjectedRecord>;
  games: RxCollection<ProjectedRecord>;
  markets: RxCollection<ProjectedRecord>;
  trades: RxCollection<ProjectedRecord>;
  kv: RxCollection<KvRecord>;
}

export type PlazaDatabase = RxDatabase<PlazaCollections>;

/** A stable, RxDB-safe database name for (server, tenant, user): `plaza_<hash>`. */
export function databaseName(server: string, tenant: string, user: string): string {
  // FNV-1a, twice with different seeds: a short, deterministic name (not a security boundary).
  const hash = (seed: number) => {
    let value = seed;
    for (const char of `${server}\u0000${tenant}\u0000${user}`) {
      value ^= char.codePointAt(0)!;
      value = Math.imul(value, 16777619) >>> 0;
    }
    return value.toString(36);
  };
  return `plaza_${hash(2166136261)}${hash(3335495161)}`;
}

export async function openPlazaDatabase(input: { name: string; storage: RxStorage<unknown, unknown>; multiInstance?: boolean }): Promise<PlazaDatabase> {
  const db = await createRxDatabase<PlazaCollections>({
    name: input.name,
    storage: input.storage,
    multiInstance: input.multiInstance ?? false,
    eventReduce: true,
    ignoreDuplicate: false,
    closeDuplicates: true,
  });
  const collections = Object.fromEntries(COLLECTION_NAMES.map((name) => [name, { schema: SCHEMAS[name] }])) as Record<CollectionName, { schema: (typeof SCHEMAS)[CollectionName] }>;
  await db.addCollections(collections);
  return db;
}
