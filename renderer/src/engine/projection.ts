/**
 * Projections: each room's Y.Doc becomes plain RxDB documents that the UI queries reactively.
 * One direction only (Y.Doc → RxDB), incrementally from Y events, batched per tick. Content that
 * breaks a rule is hidden here, on every device alike, and reported.
 */
import type * as Y from 'yjs';
import type { RoomRef } from '../../../shared/sync/rooms.ts';
import type { CollectionName } from './collections.ts';
import type { PlazaDatabase } from './database.ts';

export interface HiddenRecord {
  readonly room: string;
  readonly key: string;
  readonly code: string;
  readonly message: string;
}

export interface ProjectionResult {
  readonly upsert: ReadonlyArray<{ id: string } & Record<string, unknown>>;
  readonly remove: readonly string[];
  readonly hidden: readonly HiddenRecord[];
}

export interface Projection {
  readonly name: string;
  readonly collection: CollectionName;
  /** Top-level shared types this projection reads; a change to any of them re-projects. */
  readonly maps: readonly string[];
  /** Whether changed keys can be projected alone; otherwise every change re-projects fully. */
  readonly incremental: boolean;
  /**
   * The records for `keys` (every key when null). Records of the room not returned by a full
   * projection are removed.
   */
  project(doc: Y.Doc, room: RoomRef, roomName: string, keys: ReadonlySet<string> | null): ProjectionResult;
}

/** Batches projection writes per collection and applies them in one RxDB call each. */
export class ProjectionSink {
  private readonly db: PlazaDatabase;
  private readonly upserts = new Map<CollectionName, Map<string, Record<string, unknown>>>();
  private readonly removes = new Map<CollectionName, Set<string>>();
  private scheduled = false;
  private chain: Promise<void> = Promise.resolve();
  readonly hidden = new Map<string, HiddenRecord>();
  onHidden: (record: HiddenRecord) => void = () => undefined;

  constructor(db: PlazaDatabase) {
    this.db = db;
  }

  apply(collection: CollectionName, result: ProjectionResult): void {
    const upserts = this.upserts.get(collection) ?? new Map<string, Record<string, unknown>>();
    const removes = this.removes.get(collection) ?? new Set<string>();
    for (const record of result.upsert) {
      upserts.set(record.id, record);
      removes.delete(record.id);
    }
    for (const id of result.remove) {
      removes.add(id);
      upserts.delete(id);
    }
    this.upserts.set(collection, upserts);
    this.removes.set(collection, removes);
    for (const record of result.hidden) {
      const key = `${record.room}\u0000${record.key}`;
      if (!this.hidden.has(key)) {
        this.hidden.set(key, record);
        this.onHidden(record);
      }
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.chain = this.chain.then(() => this.write()).catch((error: unknown) => console.error('[plaza] projection write failed', error));
    });
  }

  private async write(): Promise<void> {
    for (const [collection, records] of this.upserts) {
      if (records.size === 0) continue;
      const batch = [...records.values()];
      records.clear();
      await (this.db[collection] as unknown as { bulkUpsert(docs: unknown[]): Promise<unknown> }).bulkUpsert(batch);
    }
    for (const [collection, ids] of this.removes) {
      if (ids.size === 0) continue;
      const batch = [...ids];
      ids.clear();
      await (this.db[collection] as unknown as { bulkRemove(ids: string[]): Promise<unknown> }).bulkRemove(batch);
    }
  }

  /** Resolves when every projection change so far is in RxDB. */
  async settled(): Promise<void> {
    for (;;) {
      await new Promise<void>((resolve) => queueMicrotask(resolve));
      const before = this.chain;
      await before;
      if (!this.scheduled && this.chain === before) return;
    }
  }
}

/**
 * Projects a room fully now and then incrementally on every change; returns the detach function.
 */
export function attachProjection(db: PlazaDatabase, sink: ProjectionSink, doc: Y.Doc, room: RoomRef, roomName: string, projection: Projection): () => void {
  const full = async () => {
    const existing = await (db[projection.collection] as unknown as { find(query: unknown): { exec(): Promise<Array<{ id: string }>> } })
      .find(projection.collection === 'kv' || projection.collection === 'intents' ? { selector: { id: { $in: [] } } } : { selector: { room: roomName } })
      .exec();
    // Projected after the read, not before: a change made meanwhile (a write right after opening
    // the room) was applied by the observer already, and an older full result must not undo it.
    const result = projection.project(doc, room, roomName, null);
    const kept = new Set(result.upsert.map((record) => record.id));
    const stale = existing.map((record) => record.id).filter((id) => !kept.has(id));
    sink.apply(projection.collection, { ...result, remove: [...result.remove, ...stale] });
  };
  void full();
  const observers: Array<() => void> = [];
  for (const name of projection.maps) {
    const map = doc.getMap(name);
    const observer = (events: Array<Y.YEvent<Y.AbstractType<unknown>>>) => {
      if (!projection.incremental) {
        sink.apply(projection.collection, projection.project(doc, room, roomName, null));
        return;
      }
      const keys = new Set<string>();
      for (const event of events) {
        if (event.target === map) for (const key of (event as Y.YMapEvent<unknown>).keysChanged) keys.add(key);
        else {
          // A change inside a nested value: re-project the top-level key that holds it.
          const top = event.path[0];
          if (typeof top === 'string') keys.add(top);
        }
      }
      if (keys.size > 0) sink.apply(projection.collection, projection.project(doc, room, roomName, keys));
    };
    map.observeDeep(observer);
    observers.push(() => map.unobserveDeep(observer));
  }
  return () => {
    for (const detach of observers) detach();
  };
}
