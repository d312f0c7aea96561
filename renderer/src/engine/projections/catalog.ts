import { CATALOG_PRODUCTS, readCatalogEntry } from '../../../../shared/sync/layouts/catalog.ts';
import type { Projection, ProjectionResult } from '../projection.ts';

/** Catalog products → the `products` collection; invalid ones hidden and reported. */
export const catalogProjection: Projection = {
  name: 'catalog',
  collection: 'products',
  maps: [CATALOG_PRODUCTS],
  incremental: true,
  project(doc, _room, roomName, keys): ProjectionResult {
    const products = doc.getMap(CATALOG_PRODUCTS);
    const upsert: Array<{ id: string } & Record<string, unknown>> = [];
    const remove: string[] = [];
    const hidden: Array<{ room: string; key: string; code: string; message: string }> = [];
    for (const key of keys ?? products.keys()) {
      const value = products.get(key);
      if (value === undefined) {
        remove.push(key);
        continue;
      }
      const entry = readCatalogEntry(key, value);
      if (!entry.ok) {
        remove.push(key);
        hidden.push({ room: roomName, key, code: entry.error.code, message: entry.error.message });
        continue;
      }
      const product = entry.value;
      upsert.push({ id: product.id, room: roomName, updatedAt: product.updatedAt, status: product.status, data: product as unknown as Record<string, unknown> });
    }
    return { upsert, remove, hidden };
  },
};
