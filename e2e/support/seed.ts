/**
 * Seeds a running server's shop the way any client could: a shop admin made with the operator
 * API, products written into the catalog room by a stock y-websocket client, and stock set by
 * that admin's `adjustStock` intents (decided by the real referee). Used by E2E tests, the shop
 * benchmark and the README screenshots.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as decoding from 'lib0/decoding';
import { WebSocket as WsWebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { CATALOG_PRODUCTS } from '../../shared/sync/layouts/catalog.ts';
import { SHOP_INTENTS } from '../../shared/sync/layouts/shop.ts';
import { INBOX_DECISIONS, makeIntent, OUTBOX_INTENTS, type Decision } from '../../shared/sync/intents.ts';
import { MESSAGE } from '../../shared/sync/protocol.ts';
import { roomNames } from '../../shared/sync/rooms.ts';

export interface SeedServer {
  readonly url: string;
  readonly dataDir: string;
}

export interface SeedProduct {
  readonly id: string;
  readonly title: string;
  readonly description?: string;
  readonly amount: number;
  readonly currency?: string;
  readonly category: string;
  readonly tags?: readonly string[];
  readonly images?: ReadonlyArray<{ hash: string; mime: string; size: number }>;
  readonly createdAt?: number;
}

export function operatorKey(server: SeedServer): string {
  return readFileSync(path.join(server.dataDir, 'keys/operator.key'), 'utf8').trim();
}

async function operator<T>(server: SeedServer, route: string, body: unknown): Promise<T> {
  const response = await fetch(`${server.url}${route}`, { method: 'POST', headers: { authorization: `Bearer ${operatorKey(server)}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`${route}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** A user made by the operator, with an access token (not a login: no refresh token). */
export async function operatorUser(server: SeedServer, input: { tenant?: string; displayName: string; role: 'owner' | 'admin' | 'member' }): Promise<{ id: string; token: string; tenant: string }> {
  const tenant = input.tenant ?? 'default';
  const { user } = await operator<{ user: { id: string } }>(server, '/api/admin/users', { tenant, displayName: input.displayName, role: input.role });
  const { token } = await operator<{ token: string }>(server, '/api/admin/tokens', { tenant, user: user.id, ttlSeconds: 4 * 3600 });
  return { id: user.id, token, tenant };
}

export interface RoomClient {
  readonly doc: Y.Doc;
  readonly provider: WebsocketProvider;
  /** Resolves when the server has stored every local change made so far. */
  stored(timeoutMs?: number): Promise<void>;
  close(): void;
}

/** A stock y-websocket client speaking the Plaza subprotocol (and reading its acks). */
export async function openRoom(server: SeedServer, room: string, token: string): Promise<RoomClient> {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(`${server.url.replace(/^http/, 'ws')}/sync`, room, doc, {
    disableBc: true,
    protocols: ['plaza.v1', `plaza.auth.${token}`],
    WebSocketPolyfill: WsWebSocket as unknown as typeof WebSocket,
    maxBackoffTime: 1000,
  });
  let acked = new Map<number, number>();
  const waiters = new Set<() => void>();
  provider.messageHandlers[MESSAGE.ack] = (_encoder, decoder) => {
    acked = Y.decodeStateVector(decoding.readVarUint8Array(decoder));
    for (const waiter of waiters) waiter();
  };
  for (const type of [MESSAGE.time, MESSAGE.roomInfo, MESSAGE.violation]) provider.messageHandlers[type] = () => undefined;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${room} did not sync`)), 20_000);
    provider.once('sync', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return {
    doc,
    provider,
    stored: (timeoutMs = 60_000) =>
      new Promise<void>((resolve, reject) => {
        const done = () => (acked.get(doc.clientID) ?? 0) >= Y.getState(doc.store, doc.clientID);
        if (done()) return resolve();
        const timer = setTimeout(() => reject(new Error(`${room}: changes not stored in time`)), timeoutMs);
        const waiter = () => {
          if (!done()) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve();
        };
        waiters.add(waiter);
      }),
    close: () => {
      provider.destroy();
      doc.destroy();
    },
  };
}

export function productJson(seed: SeedProduct, now = Date.now()): Record<string, unknown> {
  const at = seed.createdAt ?? now;
  return {
    id: seed.id,
    title: seed.title,
    description: seed.description ?? '',
    price: { amount: seed.amount, currency: seed.currency ?? 'USD' },
    category: seed.category,
    tags: [...(seed.tags ?? [])],
    images: [...(seed.images ?? [])],
    status: 'active',
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
}

export interface SeededShop {
  readonly admin: { id: string; token: string; tenant: string };
  close(): void;
}

/**
 * Writes `products` into the catalog (in batches), waits until the server stored them, then
 * gives each product in `stock` its units through the admin's intents and waits for the decisions.
 */
export async function seedShop(server: SeedServer, input: { products: readonly SeedProduct[]; stock?: ReadonlyMap<string, number>; tenant?: string; batch?: number }): Promise<SeededShop> {
  const admin = await operatorUser(server, { tenant: input.tenant ?? 'default', displayName: 'Seed Admin', role: 'admin' });
  const catalog = await openRoom(server, roomNames.catalog(admin.tenant), admin.token);
  const products = catalog.doc.getMap(CATALOG_PRODUCTS);
  const batch = input.batch ?? 500;
  const now = Date.now();
  for (let start = 0; start < input.products.length; start += batch) {
    catalog.doc.transact(() => {
      for (const seed of input.products.slice(start, start + batch)) products.set(seed.id, productJson(seed, now));
    });
    await catalog.stored();
  }
  const rooms: RoomClient[] = [catalog];
  if (input.stock && input.stock.size > 0) {
    const outbox = await openRoom(server, roomNames.outbox(admin.tenant, admin.id), admin.token);
    const inbox = await openRoom(server, roomNames.inbox(admin.tenant, admin.id), admin.token);
    rooms.push(outbox, inbox);
    const ids: string[] = [];
    outbox.doc.transact(() => {
      let index = 0;
      for (const [productId, units] of input.stock!) {
        const id = `i_seed${String(index++).padStart(6, '0')}`;
        ids.push(id);
        outbox.doc.getMap(OUTBOX_INTENTS).set(id, makeIntent({ id, kind: SHOP_INTENTS.adjustStock, payload: { productId, delta: units, reason: 'received' }, now: Date.now(), ttlMs: 3_600_000 }));
      }
    });
    const decisions = inbox.doc.getMap<Decision>(INBOX_DECISIONS);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('stock seeding was not decided in time')), 300_000);
      const check = () => {
        if (!ids.every((id) => decisions.has(id))) return;
        clearTimeout(timer);
        decisions.unobserve(check);
        const refused = ids.map((id) => decisions.get(id)!).filter((decision) => decision.status !== 'accepted');
        if (refused.length > 0) reject(new Error(`stock seeding refused: ${JSON.stringify(refused[0])}`));
        else resolve();
      };
      decisions.observe(check);
      check();
    });
  }
  return { admin, close: () => rooms.forEach((room) => room.close()) };
}
