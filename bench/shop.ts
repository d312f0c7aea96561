/**
 * `npm run bench:shop`: the shop's two numbers that matter, measured for real.
 *
 * 1. Browsing, in the real web UI in Chromium, with a catalog of `--products` (10,000) seeded
 *    through the catalog room: from a keystroke (a query with a typo) to its rows in the DOM and
 *    the next animation frame; the same for a category filter and a sort change (p50/p99 over
 *    `--samples` each); and the time to build the in-memory search index, cold (a fresh device
 *    syncing the catalog) and warm (a reload, catalog read from IndexedDB).
 * 2. Checkouts per second through the server pipeline (outbox update → ingest → referee decision
 *    → stored → published to the inbox), `--customers` customers each sending `--checkouts` at
 *    once, against the big catalog and against a small one (see the note printed with it).
 *
 * Goals: p50 ≤ 50 ms per interaction; ≥ 1,000 checkouts/s. Flags: --products --samples
 * --customers --checkouts --skip-browser --skip-checkout.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Page } from '@playwright/test';
import * as Y from 'yjs';
import { startServerProcess, type ServerProcess } from '../build/scripts/server-process.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../playwright.config.ts';
import { CATALOG_PRODUCTS } from '../shared/sync/layouts/catalog.ts';
import { SHOP_INTENTS, STOCK_LEVELS } from '../shared/sync/layouts/shop.ts';
import { INBOX_DECISIONS, makeIntent, OUTBOX_INTENTS, type Decision } from '../shared/sync/intents.ts';
import { roomNames } from '../shared/sync/rooms.ts';
import { createUser } from '../sync-server/src/auth/provisioning.ts';
import { configSchema } from '../sync-server/src/config.ts';
import type { Author, DecideContext } from '../sync-server/src/intents/referee.ts';
import { createLogger } from '../sync-server/src/log.ts';
import { createCommerceReferee } from '../sync-server/src/referees/commerce/commerce-referee.ts';
import type { Room } from '../sync-server/src/rooms/room.ts';
import { startServer } from '../sync-server/src/server.ts';
import type { IntentStore } from '../sync-server/src/store/types.ts';
import { generateCatalog, random, typoQueries } from '../e2e/support/catalog-gen.ts';
import { openRoom, operatorUser, productJson, seedShop, type RoomClient, type SeedProduct } from '../e2e/support/seed.ts';
import { percentile } from './lib/processes.ts';

const { values } = parseArgs({
  options: {
    products: { type: 'string', default: '10000' },
    samples: { type: 'string', default: '60' },
    customers: { type: 'string', default: '100' },
    checkouts: { type: 'string', default: '10' },
    'skip-browser': { type: 'boolean', default: false },
    'skip-checkout': { type: 'boolean', default: false },
  },
});
const PRODUCTS = Number(values.products);
const SAMPLES = Number(values.samples);
const CUSTOMERS = Number(values.customers);
const CHECKOUTS = Number(values.checkouts);
// Every stock y-websocket provider in Node adds a process 'exit' listener (awareness cleanup).
process.setMaxListeners(0);
const STOCKED = 40;
const TENANT = 'default';

interface Stats {
  readonly n: number;
  readonly p50: number;
  readonly p99: number;
  readonly mean: number;
  readonly max: number;
}

function stats(samples: readonly number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  return { n: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), mean: sorted.reduce((sum, value) => sum + value, 0) / sorted.length, max: sorted.at(-1) ?? Number.NaN };
}

function row(name: string, value: Stats, goal?: number): string {
  const verdict = goal === undefined ? '' : value.p50 <= goal ? `  ✓ p50 ≤ ${goal} ms` : `  ✗ p50 > ${goal} ms`;
  return `  ${name.padEnd(34)} n=${String(value.n).padStart(3)}  p50 ${value.p50.toFixed(1).padStart(7)} ms  p99 ${value.p99.toFixed(1).padStart(7)} ms  mean ${value.mean.toFixed(1).padStart(7)} ms  max ${value.max.toFixed(1).padStart(7)} ms${verdict}`;
}

// Browsing ---------------------------------------------------------------------------------------

const RESULTS = '[data-testid="browse-results"]';

async function renderedKey(page: Page): Promise<string | null> {
  return page.locator(RESULTS).getAttribute('data-rendered');
}

async function waitRendered(page: Page, key: string): Promise<void> {
  await page.waitForFunction(({ selector, expected }) => document.querySelector(selector)?.getAttribute('data-rendered') === expected, { selector: RESULTS, expected: key }, { timeout: 30_000 });
}

/**
 * Arms a measurement in the page (the time stamp of the next `trigger` event, then the frame
 * after `data-rendered` becomes `key`), runs `action`, and returns the milliseconds in between.
 */
async function measure(page: Page, key: string, trigger: 'keydown' | 'input', action: () => Promise<void>): Promise<number> {
  await page.evaluate(
    ({ selector, expected, event }) => {
      const target = document.querySelector(selector)!;
      const slot = window as unknown as { __shopBench?: Promise<number> };
      slot.__shopBench = new Promise<number>((resolve, reject) => {
        let started: number | null = null;
        window.addEventListener(event, (e) => (started ??= e.timeStamp), { capture: true, once: true });
        const timer = setTimeout(() => reject(new Error(`no render of ${expected}`)), 30_000);
        const observer = new MutationObserver(() => {
          if (target.getAttribute('data-rendered') !== expected) return;
          observer.disconnect();
          requestAnimationFrame(() => {
            clearTimeout(timer);
            resolve(performance.now() - (started ?? performance.now()));
          });
        });
        observer.observe(target, { attributes: true, attributeFilter: ['data-rendered'] });
      });
    },
    { selector: RESULTS, expected: key, event: trigger },
  );
  await action();
  return page.evaluate(() => (window as unknown as { __shopBench: Promise<number> }).__shopBench);
}

async function indexBuilds(page: Page): Promise<Array<{ ms: number; products: number }>> {
  return page.evaluate(() =>
    performance.getEntriesByName('plaza:shop-index-build').map((entry) => ({ ms: entry.duration, products: Number((entry as PerformanceMeasure).detail?.products ?? 0) })),
  );
}

async function waitForCatalog(page: Page, count: number): Promise<void> {
  const text = `${count.toLocaleString('en-US')} products`;
  await page.getByTestId('result-count').filter({ hasText: text }).waitFor({ timeout: 600_000 });
}

async function benchBrowse(server: ServerProcess): Promise<void> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${server.url}/shop`);
    await page.getByRole('button', { name: 'Browse as guest' }).click();
    const coldStart = performance.now();
    await waitForCatalog(page, PRODUCTS);
    const coldMs = performance.now() - coldStart;
    const cold = await indexBuilds(page);
    await page.reload();
    const warmStart = performance.now();
    await waitForCatalog(page, PRODUCTS);
    const warmMs = performance.now() - warmStart;
    const warm = await indexBuilds(page);
    const biggest = (list: Array<{ ms: number; products: number }>) => list.sort((a, b) => b.products - a.products)[0];

    const search = page.getByRole('searchbox', { name: 'Search products' });
    const category = page.getByRole('combobox', { name: 'Category' });
    const sort = page.getByRole('combobox', { name: 'Sort by' });
    const key = (text: string, slug = '', order = 'relevance') => `${text}|${slug}|||${order}`;

    // Warm-up: the first search and each order's first use build lazy caches; they are measured
    // below too (they land in the p99), this only lets the JIT settle.
    await search.fill('lamp');
    await waitRendered(page, key('lamp'));
    await search.fill('');
    await waitRendered(page, key(''));

    const searchMs: number[] = [];
    const hits: number[] = [];
    for (const query of typoQueries(SAMPLES)) {
      await search.fill(query.slice(0, -1));
      await waitRendered(page, key(query.slice(0, -1)));
      await search.focus();
      await page.keyboard.press('End');
      searchMs.push(await measure(page, key(query), 'keydown', () => page.keyboard.press(query.at(-1)!)));
      hits.push(Number(((await page.getByTestId('result-count').textContent()) ?? '').replaceAll(',', '').split(' ')[0]));
    }
    await search.fill('');
    await waitRendered(page, key(''));

    const slugs = ['electronics', 'home', 'kitchen', 'apparel', 'books', 'sports', 'toys', 'garden', 'music', 'office', ''];
    const filterMs: number[] = [];
    for (let index = 0; filterMs.length < SAMPLES; index += 1) {
      const slug = slugs[index % slugs.length]!;
      if ((await renderedKey(page)) === key('', slug)) continue;
      filterMs.push(await measure(page, key('', slug), 'input', () => category.selectOption(slug).then(() => undefined)));
    }
    await category.selectOption('');
    await waitRendered(page, key(''));

    const orders = ['price-asc', 'price-desc', 'newest', 'title', 'relevance'];
    const sortMs: number[] = [];
    for (let index = 0; sortMs.length < SAMPLES; index += 1) {
      const order = orders[index % orders.length]!;
      if ((await renderedKey(page)) === key('', '', order)) continue;
      sortMs.push(await measure(page, key('', '', order), 'input', () => sort.selectOption(order).then(() => undefined)));
    }

    console.log(`\nBrowsing ${PRODUCTS.toLocaleString('en-US')} products in Chromium (${CHROMIUM_PATH}), web flavour, one guest:`);
    console.log(`  catalog to a fresh device (sync + project + index): ${(coldMs / 1000).toFixed(1)} s; after a reload (IndexedDB + index): ${(warmMs / 1000).toFixed(1)} s`);
    const coldBuild = biggest(cold);
    const warmBuild = biggest(warm);
    console.log(`  index build (minisearch, chunked): cold ${coldBuild ? `${coldBuild.ms.toFixed(0)} ms for ${coldBuild.products}` : 'n/a'}; warm ${warmBuild ? `${warmBuild.ms.toFixed(0)} ms for ${warmBuild.products}` : 'n/a'} products`);
    console.log(row('keystroke → rows (typo search)', stats(searchMs), 50));
    console.log(row('category filter → rows', stats(filterMs), 50));
    console.log(row('sort change → rows', stats(sortMs), 50));
    console.log(`  typo queries matched ${hits.filter((count) => count > 0).length}/${hits.length} (median ${stats(hits).p50} results), e.g. ${typoQueries(4).join(', ')}`);
    if (errors.length > 0) console.log(`  page errors: ${errors.slice(0, 3).join(' | ')}`);
  } finally {
    await browser.close();
  }
}

// Checkouts --------------------------------------------------------------------------------------

/** CPU seconds a process has used (user + system), from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function machine(): string {
  return `machine load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`;
}

let intentCounter = 0;
function nextIntentId(): string {
  intentCounter += 1;
  return `i_bench${intentCounter.toString(36).padStart(8, '0')}`;
}

/** A checkout of one unit of a random stocked product, at the price the catalog shows. */
function checkoutPayloads(stocked: readonly SeedProduct[]): () => unknown {
  const next = random(12345);
  return () => {
    const product = stocked[Math.floor(next() * stocked.length)]!;
    return { lines: [{ productId: product.id, quantity: 1, unitPriceSeen: { amount: product.amount, currency: 'USD' } }], currency: 'USD' };
  };
}

function checkoutReport(label: string, input: { decided: number; accepted: number; seconds: number; latencies: readonly number[]; latencyLabel?: string; cpuSeconds?: number; extra?: string }): void {
  const rate = input.decided / Math.max(input.seconds, 1e-9);
  console.log(`  ${label.padEnd(10)} ${rate.toFixed(0).padStart(6)} checkouts/s  ${rate >= 1000 ? '✓' : '✗'} goal ≥ 1,000/s  (${input.decided} decided, ${input.accepted} accepted, in ${input.seconds.toFixed(2)} s${input.extra ?? ''})`);
  if (input.latencies.length > 0) console.log(row(`  ${input.latencyLabel ?? 'outbox update → stored decision'}`, stats(input.latencies)));
  if (input.cpuSeconds !== undefined) console.log(`  ${''.padEnd(10)} server CPU ${((input.cpuSeconds * 1000) / Math.max(1, input.decided)).toFixed(3)} ms per checkout (${((input.cpuSeconds / input.seconds) * 100).toFixed(0)}% of a core); ${machine()}`);
}

/**
 * Phase 0, referee: the commerce referee's own work per checkout (parse, price and stock checks,
 * the stock, orders and inbox writes) on in-memory rooms holding the whole catalog. No store, no
 * runner, no sockets: the ceiling the pipeline could reach.
 */
function refereePhase(catalog: readonly SeedProduct[], stocked: readonly SeedProduct[]): void {
  const referee = createCommerceReferee({ directory: null as never });
  const logger = createLogger('silent');
  const docs = new Map<string, Y.Doc>();
  const docOf = (room: string) => docs.get(room) ?? docs.set(room, new Y.Doc()).get(room)!;
  const products = docOf(roomNames.catalog(TENANT)).getMap(CATALOG_PRODUCTS);
  docOf(roomNames.catalog(TENANT)).transact(() => {
    for (const product of catalog) products.set(product.id, productJson(product));
  });
  const levels = docOf(roomNames.stock(TENANT)).getMap<number>(STOCK_LEVELS);
  for (const product of stocked) levels.set(product.id, 1_000_000);
  const context = (): DecideContext => ({
    now: Date.now(),
    tenant: TENANT,
    logger,
    doc: docOf,
    write: (room, change) => {
      const doc = docOf(room);
      doc.transact(() => change(doc), 'referee');
    },
    setDeadline: () => undefined,
    clearDeadline: () => undefined,
    ledger: () => undefined,
    rttOf: () => null,
    isConnected: () => false,
  });
  const payload = checkoutPayloads(stocked);
  const authors: Author[] = Array.from({ length: CUSTOMERS }, (_unused, index) => ({ tenant: TENANT, user: `u_bench${index}`, role: 'member', name: `Customer ${index}`, kind: 'account' }));
  const cpuStart = process.cpuUsage();
  const started = performance.now();
  let decided = 0;
  let accepted = 0;
  while (performance.now() - started < 3_000) {
    const author = authors[decided % authors.length]!;
    const outcome = referee.decide(makeIntent({ id: nextIntentId(), kind: SHOP_INTENTS.checkout, payload: payload(), now: Date.now(), ttlMs: 60_000 }), author, context());
    decided += 1;
    if (outcome.status === 'accepted') accepted += 1;
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  checkoutReport('referee', { decided, accepted, seconds, latencies: [], cpuSeconds: (cpu.user + cpu.system) / 1e6, extra: `; in memory, ${catalog.length.toLocaleString('en-US')} products in the catalog room` });
}

/**
 * Phase 1, pipeline: the real server in this process (SQLite store, runner, commerce referee),
 * no sockets. Each customer's checkouts arrive as one update applied to their outbox room exactly
 * as a connection applies it (ingest into pending in the same store transaction); a checkout is
 * counted when the store transaction holding its decision has committed.
 */
async function pipelinePhase(catalog: readonly SeedProduct[], stocked: readonly SeedProduct[]): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'plaza-bench-shop-'));
  const config = configSchema.parse({ port: 0, dataDir, webDir: '/nonexistent', logLevel: 'silent' });
  const server = await startServer(config, { logger: createLogger('silent') });
  try {
    const committedAt = new Map<string, { at: number; status: string }>();
    let onCommit: (() => void) | null = null;
    // Wrap the store's commit to see the moment each decision is durable (the runner commits
    // every decision through this one call; the bench only observes it).
    const intents: { commit: IntentStore['commit'] } = server.store.intents;
    const commit = intents.commit.bind(intents);
    intents.commit = async (batch) => {
      const result = await commit(batch);
      const at = performance.now();
      for (const decision of batch.decisions) committedAt.set(decision.intentId, { at, status: decision.status });
      onCommit?.();
      return result;
    };
    const whenDecided = (ids: readonly string[], timeoutMs: number) =>
      new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => {
          onCommit = null;
          resolve(false);
        }, timeoutMs);
        onCommit = () => {
          if (!ids.every((id) => committedAt.has(id))) return;
          clearTimeout(timer);
          onCommit = null;
          resolve(true);
        };
        onCommit();
      });

    interface Writer {
      readonly user: string;
      readonly room: Room;
      readonly doc: Y.Doc;
      readonly peer: { id: string; isPlaza: boolean; send(): void };
    }
    const writerFor = async (user: string): Promise<Writer> => {
      const room = await server.rooms.acquire(roomNames.outbox(TENANT, user));
      server.rooms.hold(room);
      return { user, room, doc: new Y.Doc(), peer: { id: `bench-${user}`, isPlaza: false, send: () => undefined } };
    };
    /** Writes intents in one local transaction and applies its update as a connection would. */
    const write = (writer: Writer, intentsToWrite: ReadonlyArray<{ kind: string; payload: unknown }>): { ids: string[]; applied: Promise<boolean> } => {
      const ids: string[] = [];
      let update: Uint8Array | null = null;
      const capture = (data: Uint8Array) => (update = data);
      writer.doc.on('update', capture);
      writer.doc.transact(() => {
        for (const { kind, payload } of intentsToWrite) {
          const id = nextIntentId();
          ids.push(id);
          writer.doc.getMap(OUTBOX_INTENTS).set(id, makeIntent({ id, kind, payload, now: Date.now(), ttlMs: 3_600_000 }));
        }
      });
      writer.doc.off('update', capture);
      return { ids, applied: server.rooms.applyClientUpdate(writer.room, update!, writer.peer, { kind: 'client', user: writer.user, connection: writer.peer.id }) };
    };

    // The catalog (one admin update, as the admin's client would send it) and the stock.
    const admin = await createUser(server.directory, { tenant: TENANT, displayName: 'Bench Admin', role: 'admin', kind: 'account', now: Date.now() });
    const catalogRoom = await server.rooms.acquire(roomNames.catalog(TENANT));
    server.rooms.hold(catalogRoom);
    const local = new Y.Doc();
    local.transact(() => {
      for (const product of catalog) local.getMap(CATALOG_PRODUCTS).set(product.id, productJson(product));
    });
    const adminPeer = { id: `bench-${admin.id}`, isPlaza: false, send: () => undefined };
    await server.rooms.applyClientUpdate(catalogRoom, Y.encodeStateAsUpdate(local), adminPeer, { kind: 'client', user: admin.id, connection: adminPeer.id });
    const adminWriter = await writerFor(admin.id);
    const seeding = write(adminWriter, stocked.map((product) => ({ kind: SHOP_INTENTS.adjustStock, payload: { productId: product.id, delta: 1_000_000, reason: 'received' } })));
    await seeding.applied;
    if (!(await whenDecided(seeding.ids, 120_000)) || seeding.ids.some((id) => committedAt.get(id)?.status !== 'accepted')) throw new Error('pipeline: stock seeding failed');

    const customers = await Promise.all(
      Array.from({ length: CUSTOMERS }, async (_unused, index) => writerFor((await createUser(server.directory, { tenant: TENANT, displayName: `Customer ${index}`, role: 'member', kind: 'account', now: Date.now() })).id)),
    );
    const payload = checkoutPayloads(stocked);
    const runBurst = async (label: string, perCustomer: number) => {
      const sentAt = new Map<string, number>();
      const ids: string[] = [];
      const cpuStart = process.cpuUsage();
      const started = performance.now();
      const applied: Array<Promise<boolean>> = [];
      for (const customer of customers) {
        const at = performance.now();
        const sent = write(customer, Array.from({ length: perCustomer }, () => ({ kind: SHOP_INTENTS.checkout, payload: payload() })));
        for (const id of sent.ids) sentAt.set(id, at);
        ids.push(...sent.ids);
        applied.push(sent.applied);
      }
      await Promise.all(applied);
      const complete = await whenDecided(ids, 600_000);
      const cpu = process.cpuUsage(cpuStart);
      const done = ids.filter((id) => committedAt.has(id));
      const seconds = (Math.max(started, ...done.map((id) => committedAt.get(id)!.at)) - started) / 1000;
      checkoutReport(label, {
        decided: done.length,
        accepted: done.filter((id) => committedAt.get(id)!.status === 'accepted').length,
        seconds,
        latencies: done.map((id) => committedAt.get(id)!.at - sentAt.get(id)!),
        cpuSeconds: (cpu.user + cpu.system) / 1e6,
        extra: `; ${customers.length} customers × ${perCustomer} at once${complete ? '' : ', TIMED OUT'}; CPU includes the driver`,
      });
    };
    await runBurst('warm-up', 1);
    await runBurst('pipeline', CHECKOUTS);
    await server.runner.idle();
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Phase 2, network: the real server in its own process; every customer a stock y-websocket
 * client on its outbox and inbox. From the outbox write to the decision arriving in the inbox.
 */
async function networkPhase(server: ServerProcess, stocked: readonly SeedProduct[]): Promise<void> {
  const customers: Array<{ outbox: RoomClient; inbox: RoomClient }> = [];
  for (let index = 0; index < CUSTOMERS; index += 1) {
    const user = await operatorUser(server, { tenant: TENANT, displayName: `Customer ${index}`, role: 'member' });
    const [outbox, inbox] = await Promise.all([openRoom(server, roomNames.outbox(TENANT, user.id), user.token), openRoom(server, roomNames.inbox(TENANT, user.id), user.token)]);
    customers.push({ outbox, inbox });
  }
  const payload = checkoutPayloads(stocked);
  const sentAt = new Map<string, number>();
  const decidedAt = new Map<string, { at: number; status: string }>();
  const total = CUSTOMERS * CHECKOUTS;
  const done = new Promise<void>((resolve) => {
    for (const { inbox } of customers) {
      const decisions = inbox.doc.getMap<Decision>(INBOX_DECISIONS);
      decisions.observe((event) => {
        const now = performance.now();
        for (const id of event.keysChanged) {
          const decision = decisions.get(id);
          if (decision && sentAt.has(id) && !decidedAt.has(id)) decidedAt.set(id, { at: now, status: decision.status });
        }
        if (decidedAt.size >= total) resolve();
      });
    }
  });
  const cpuStart = cpuSeconds(server.child.pid!);
  const started = performance.now();
  for (const { outbox } of customers) {
    outbox.doc.transact(() => {
      for (let index = 0; index < CHECKOUTS; index += 1) {
        const id = nextIntentId();
        outbox.doc.getMap(OUTBOX_INTENTS).set(id, makeIntent({ id, kind: SHOP_INTENTS.checkout, payload: payload(), now: Date.now(), ttlMs: 3_600_000 }));
        sentAt.set(id, performance.now());
      }
    });
  }
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 600_000).unref());
  const outcome = await Promise.race([done.then(() => 'done' as const), timeout]);
  const seconds = (Math.max(...[...decidedAt.values()].map((entry) => entry.at), started) - started) / 1000;
  checkoutReport('network', {
    decided: decidedAt.size,
    accepted: [...decidedAt.values()].filter((entry) => entry.status === 'accepted').length,
    seconds,
    latencies: [...decidedAt].map(([id, entry]) => entry.at - sentAt.get(id)!),
    latencyLabel: 'outbox write → decision in inbox',
    cpuSeconds: cpuSeconds(server.child.pid!) - cpuStart,
    extra: `; ${CUSTOMERS} customers × ${CHECKOUTS} at once over WebSocket, latency to the decision in the client's inbox${outcome === 'timeout' ? ', TIMED OUT' : ''}`,
  });
  for (const { outbox, inbox } of customers) {
    outbox.close();
    inbox.close();
  }
}

// Main -------------------------------------------------------------------------------------------

console.log(`bench:shop — ${PRODUCTS.toLocaleString('en-US')} products, ${SAMPLES} samples per interaction, ${CUSTOMERS}×${CHECKOUTS} checkouts (Node ${process.version}; ${machine()})`);
const catalog = generateCatalog(PRODUCTS);
const stocked = catalog.slice(0, STOCKED);
if (!values['skip-checkout']) {
  console.log(`\nCheckouts per second (goal ≥ 1,000/s), catalog of ${PRODUCTS.toLocaleString('en-US')} products, ${STOCKED} of them stocked:`);
  refereePhase(catalog, stocked);
  await pipelinePhase(catalog, stocked);
}
const server = await startServerProcess({
  env: { PLAZA_MAX_CONNECTIONS_PER_IP: '100000', PLAZA_MESSAGES_PER_SECOND: '100000', PLAZA_MESSAGE_BURST: '100000', PLAZA_MAX_MESSAGE_BYTES: String(32 * 1024 * 1024) },
  startTimeoutMs: 60_000,
});
try {
  const seedStart = performance.now();
  const seeded = await seedShop(server, { products: catalog, stock: new Map(stocked.map((product) => [product.id, 1_000_000])) });
  console.log(`\nseeded ${PRODUCTS.toLocaleString('en-US')} products and stock for ${STOCKED} of them through the rooms of a server process in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);
  if (!values['skip-checkout']) await networkPhase(server, stocked);
  if (!values['skip-browser']) await benchBrowse(server);
  seeded.close();
} finally {
  await server.stop();
}
