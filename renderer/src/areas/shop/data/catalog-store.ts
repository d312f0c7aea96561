/**
 * One catalog store per local database, outside React: it follows the `products` collection
 * (the catalog projection) and keeps the in-memory index up to date incrementally, so moving
 * between shop screens never rebuilds it. Screens read a snapshot through `useCatalog`.
 */
import { useSyncExternalStore } from 'react';
import type { Subscription } from 'rxjs';
import type { Product } from '../../../../../shared/domain/commerce/product.ts';
import type { ProjectedRecord } from '../../../engine/collections.ts';
import type { PlazaDatabase } from '../../../engine/database.ts';
import { useEngine } from '../../../app/RuntimeContext.tsx';
import { CatalogIndex } from './catalog-index.ts';

/** `performance.measure` name of each bulk index build (read by bench/shop.ts). */
export const INDEX_BUILD_MEASURE = 'plaza:shop-index-build';

/** At least this many new products at once are indexed in yielding chunks rather than in one go. */
const BULK_THRESHOLD = 200;

export interface CatalogSnapshot {
  /** `loading`: nothing read from this device yet; `indexing`: building the search index. */
  readonly status: 'loading' | 'indexing' | 'ready';
  readonly index: CatalogIndex;
  /** Every valid product by id, archived ones included (the domain's `catalog`). */
  readonly catalog: ReadonlyMap<string, Product>;
  readonly version: number;
  readonly indexBuildMs: number | null;
}

interface RecordLike {
  readonly id: string;
  readonly revision: string;
  toJSON(): ProjectedRecord;
}

export class CatalogStore {
  private snapshot: CatalogSnapshot;
  private readonly index: CatalogIndex;
  private readonly listeners = new Set<() => void>();
  private readonly revisions = new Map<string, string>();
  private readonly texts = new Map<string, string>();
  private pending: readonly RecordLike[] | null = null;
  private busy = false;
  private readonly subscription: Subscription;

  constructor(db: PlazaDatabase, locale?: string) {
    this.index = new CatalogIndex(locale);
    this.snapshot = { status: 'loading', index: this.index, catalog: new Map(), version: 0, indexBuildMs: null };
    this.subscription = db.products.find().$.subscribe({
      next: (docs) => {
        this.pending = docs as unknown as RecordLike[];
        void this.pump();
      },
      error: (error: unknown) => console.error('[plaza] the catalog query failed', error),
    });
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getSnapshot = (): CatalogSnapshot => this.snapshot;

  dispose(): void {
    this.subscription.unsubscribe();
    this.listeners.clear();
  }

  private publish(status: CatalogSnapshot['status'], indexBuildMs: number | null = this.snapshot.indexBuildMs): void {
    const catalog = new Map<string, Product>();
    for (const product of this.index.all()) catalog.set(product.id, product);
    this.snapshot = { status, index: this.index, catalog, version: this.index.version, indexBuildMs };
    for (const listener of this.listeners) listener();
  }

  private async pump(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      while (this.pending !== null) {
        const docs = this.pending;
        this.pending = null;
        await this.ingest(docs);
      }
    } catch (error) {
      console.error('[plaza] could not index the catalog', error);
    } finally {
      this.busy = false;
    }
  }

  private async ingest(docs: readonly RecordLike[]): Promise<void> {
    const upserts: Product[] = [];
    const seen = new Set<string>();
    for (const doc of docs) {
      seen.add(doc.id);
      if (this.revisions.get(doc.id) === doc.revision) continue;
      this.revisions.set(doc.id, doc.revision);
      const product = doc.toJSON().data as unknown as Product;
      const text = JSON.stringify(product);
      if (this.texts.get(doc.id) === text) continue;
      this.texts.set(doc.id, text);
      upserts.push(product);
    }
    const removals = [...this.revisions.keys()].filter((id) => !seen.has(id));
    for (const id of removals) {
      this.revisions.delete(id);
      this.texts.delete(id);
    }
    const fresh = upserts.filter((product) => this.index.get(product.id) === undefined);
    if (fresh.length >= BULK_THRESHOLD) {
      // The first load, or a large catalog arriving from the server: build in chunks that yield
      // to the page, show "indexing" meanwhile, and record how long it took.
      this.publish('indexing');
      const started = performance.now();
      await this.index.addAll(fresh);
      const added = new Set(fresh);
      this.index.apply(upserts.filter((product) => !added.has(product)), removals);
      const took = performance.now() - started;
      performance.measure(INDEX_BUILD_MEASURE, { start: started, end: started + took, detail: { products: fresh.length, total: this.index.size } });
      this.publish('ready', took);
      return;
    }
    if (upserts.length > 0 || removals.length > 0) this.index.apply(upserts, removals);
    if (upserts.length > 0 || removals.length > 0 || this.snapshot.status !== 'ready') this.publish('ready');
  }
}

const stores = new WeakMap<PlazaDatabase, CatalogStore>();

export function catalogStoreFor(db: PlazaDatabase): CatalogStore {
  let store = stores.get(db);
  if (!store) {
    store = new CatalogStore(db, typeof navigator === 'undefined' ? undefined : navigator.language);
    stores.set(db, store);
    const current = store;
    db.onClose.push(async () => {
      current.dispose();
      stores.delete(db);
    });
  }
  return store;
}

const idle = { subscribe: () => () => undefined, getSnapshot: () => null };

/** The catalog of the signed-in identity, kept current; null without an engine. */
export function useCatalog(): CatalogSnapshot | null {
  const engine = useEngine();
  // A render can still see the engine of an identity that just signed out, after its database
  // closed: querying that database would throw, and there is nothing left to show from it.
  const store = engine && !engine.db.closed ? catalogStoreFor(engine.db) : idle;
  return useSyncExternalStore(store.subscribe, store.getSnapshot);
}
