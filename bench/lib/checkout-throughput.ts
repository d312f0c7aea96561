/**
 * Checkouts per second through the server's intent pipeline, with no browser and no sockets: the
 * server runs in this process (SQLite store in a temporary directory) and each checkout is an
 * update applied to the customer's outbox room exactly as a connection applies it (ingest with
 * its pending row, commerce referee decision, stock/orders/inbox writes and the stored decision).
 * A checkout counts when its decision reaches the customer's inbox, i.e. after the commit.
 * Used by `bench:shop` (the UI part lives there); runnable alone:
 *
 *   npx node bench/lib/checkout-throughput.ts [--customers 200] [--checkouts 20000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as Y from 'yjs';
import { CATALOG_PRODUCTS } from '../../shared/sync/layouts/catalog.ts';
import { SHOP_INTENTS } from '../../shared/sync/layouts/shop.ts';
import { INBOX_DECISIONS, makeIntent, OUTBOX_INTENTS, type Decision } from '../../shared/sync/intents.ts';
import { roomNames } from '../../shared/sync/rooms.ts';
import { createUser } from '../../sync-server/src/auth/provisioning.ts';
import { configSchema } from '../../sync-server/src/config.ts';
import { createLogger } from '../../sync-server/src/log.ts';
import type { Room } from '../../sync-server/src/rooms/room.ts';
import { startServer } from '../../sync-server/src/server.ts';

export interface CheckoutThroughput {
  readonly checkouts: number;
  readonly accepted: number;
  readonly seconds: number;
  readonly perSecond: number;
  /** Server CPU (this process: server and driver) per checkout, ms. */
  readonly cpuMsPerCheckout: number;
}

const TENANT = 'default';
const PRODUCTS = 20;

/**
 * `customers` customers each keep one checkout in flight (the next one is written when the
 * previous decision arrives) until `checkouts` were decided.
 */
export async function checkoutThroughput(options: { customers: number; checkouts: number }): Promise<CheckoutThroughput> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'plaza-bench-checkout-'));
  const config = configSchema.parse({ port: 0, dataDir, webDir: '/nonexistent', logLevel: 'silent' });
  const server = await startServer(config, { logger: createLogger('silent') });
  try {
    const now = Date.now();
    const admin = await createUser(server.directory, { tenant: TENANT, displayName: 'Bench admin', role: 'admin', kind: 'account', now });
    const customers = await Promise.all(
      Array.from({ length: options.customers }, (_unused, index) => createUser(server.directory, { tenant: TENANT, displayName: `Customer ${index}`, role: 'member', kind: 'account', now })),
    );
    interface Writer {
      readonly user: string;
      readonly room: Room;
      readonly doc: Y.Doc;
      readonly peer: { id: string; isPlaza: boolean; send(): void };
    }
    const decisions = new Map<string, (decision: Decision) => void>();
    const writerFor = async (user: string): Promise<Writer> => {
      const room = await server.rooms.acquire(roomNames.outbox(TENANT, user));
      server.rooms.hold(room);
      const inbox = await server.rooms.acquire(roomNames.inbox(TENANT, user));
      server.rooms.hold(inbox);
      const map = inbox.doc.getMap<Decision>(INBOX_DECISIONS);
      map.observe((event) => {
        for (const key of event.keysChanged) {
          const found = map.get(key);
          if (found) decisions.get(key)?.(found);
          decisions.delete(key);
        }
      });
      return { user, room, doc: new Y.Doc(), peer: { id: `bench-${user}`, isPlaza: false, send: () => undefined } };
    };
    let counter = 0;
    /** Writes an intent the way a connection's update would arrive; resolves with its decision. */
    const write = (writer: Writer, kind: string, payload: unknown): Promise<Decision> => {
      counter += 1;
      const id = `c_${counter.toString(36).padStart(8, '0')}`;
      const decided = new Promise<Decision>((resolve) => decisions.set(id, resolve));
      let update: Uint8Array | null = null;
      const capture = (data: Uint8Array) => (update = data);
      writer.doc.on('update', capture);
      writer.doc.getMap(OUTBOX_INTENTS).set(id, makeIntent({ id, kind, payload, now: Date.now(), ttlMs: 60_000 }));
      writer.doc.off('update', capture);
      void server.rooms.applyClientUpdate(writer.room, update!, writer.peer, { kind: 'client', user: writer.user, connection: writer.peer.id });
      return decided;
    };

    // The catalog (written by the admin as a client would) and enough stock for every checkout.
    const catalog = await server.rooms.acquire(roomNames.catalog(TENANT));
    server.rooms.hold(catalog);
    const adminPeer = { id: 'bench-admin', isPlaza: false, send: () => undefined };
    const catalogDoc = new Y.Doc();
    let catalogUpdate: Uint8Array | null = null;
    catalogDoc.on('update', (data: Uint8Array) => (catalogUpdate = data));
    catalogDoc.transact(() => {
      for (let index = 0; index < PRODUCTS; index += 1) {
        catalogDoc.getMap(CATALOG_PRODUCTS).set(`p${index}`, {
          id: `p${index}`,
          title: `Product ${index}`,
          description: '',
          price: { amount: 500 + index * 100, currency: 'USD' },
          category: 'home',
          tags: [],
          images: [],
          status: 'active',
          createdAt: now,
          updatedAt: now,
          version: 1,
        });
      }
    });
    await server.rooms.applyClientUpdate(catalog, catalogUpdate!, adminPeer, { kind: 'client', user: admin.id, connection: adminPeer.id });
    const adminWriter = await writerFor(admin.id);
    for (let index = 0; index < PRODUCTS; index += 1) {
      const stocked = await write(adminWriter, SHOP_INTENTS.adjustStock, { productId: `p${index}`, delta: options.checkouts * 3, reason: 'received' });
      if (stocked.status !== 'accepted') throw new Error(`stock: ${JSON.stringify(stocked.reason)}`);
    }
    const writers = await Promise.all(customers.map((customer) => writerFor(customer.id)));

    let written = 0;
    let decidedCount = 0;
    let accepted = 0;
    const cpuStart = process.cpuUsage();
    const started = performance.now();
    await new Promise<void>((done) => {
      const next = (writer: Writer, index: number) => {
        if (written >= options.checkouts) return;
        written += 1;
        const product = (written + index) % PRODUCTS;
        void write(writer, SHOP_INTENTS.checkout, {
          lines: [{ productId: `p${product}`, quantity: 1 + (written % 3), unitPriceSeen: { amount: 500 + product * 100, currency: 'USD' } }],
          currency: 'USD',
        }).then((decision) => {
          decidedCount += 1;
          if (decision.status === 'accepted') accepted += 1;
          if (decidedCount === options.checkouts) done();
          // The next checkout arrives as I/O would (a macrotask), not inside this decision's promise chain.
          else setImmediate(() => next(writer, index));
        });
      };
      writers.forEach((writer, index) => next(writer, index));
    });
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    await server.runner.idle();
    return { checkouts: decidedCount, accepted, seconds, perSecond: decidedCount / seconds, cpuMsPerCheckout: (cpu.user + cpu.system) / 1000 / decidedCount };
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.filename === process.argv[1]) {
  const { values } = parseArgs({ options: { customers: { type: 'string', default: '200' }, checkouts: { type: 'string', default: '20000' } } });
  const result = await checkoutThroughput({ customers: Number(values.customers), checkouts: Number(values.checkouts) });
  console.log(
    `checkouts (server pipeline, no sockets): ${result.checkouts} decided (${result.accepted} accepted) in ${result.seconds.toFixed(1)} s = ${result.perSecond.toFixed(0)} checkouts/s (goal ≥ 1,000); CPU ${result.cpuMsPerCheckout.toFixed(3)} ms per checkout (server and driver)`,
  );
  process.exit(0);
}
