/**
 * Real server processes (child processes of this test) on one Postgres database and one Redis,
 * behind nothing or behind a plain TCP load balancer:
 * - the runaway LLM incident (50 concurrent streaming clients on one capped session) spread over
 *   two processes: open reservations plus charges never pass the cap, and the charges end within
 *   it to the micro-dollar;
 * - SIGKILL of one of three processes under load: its clients reconnect through the load balancer
 *   to another process, nothing any client saw is lost, its queue lease moves, and the deadline it
 *   had armed fires exactly once elsewhere.
 */
import { readdirSync } from 'node:fs';
import pg from 'pg';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket as WsWebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { scopeKey } from '../../../shared/domain/llm/budgets.ts';
import { DEFAULT_PRICES } from '../../../shared/domain/llm/default-prices.ts';
import { worstCaseCost } from '../../../shared/domain/llm/prices.ts';
import { countPromptTokens, reservedPromptTokens } from '../../../shared/domain/llm/tokens.ts';
import { png } from '../../../shared/domain/commerce/test-support/images.ts';
import { roomNames, type Role } from '../../../shared/sync/rooms.ts';
import { chatBody, readSse } from '../llm/test-support/llm-harness.ts';
import { blobHash } from '../store/blob-files.ts';
import { startFakeOpenAI, type FakeOpenAI } from '../test-support/fake-openai/fake-openai.ts';
import { eventually, ignorePlazaMessages } from '../test-support/harness.ts';
import { decisionIn, writeIntent } from '../test-support/intents.ts';
import { startLoadBalancer, type LoadBalancer } from '../test-support/load-balancer.ts';
import { startServerCluster, type ServerCluster } from '../test-support/server-cluster.ts';

const cleanup: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await Promise.resolve(step()).catch(() => undefined);
});

async function newUser(cluster: ServerCluster, tenant = 'default', index = 0, role: Role = 'member'): Promise<{ id: string; token: string }> {
  const { user } = (await cluster.admin('/api/admin/users', { tenant, displayName: `User ${Math.random().toString(36).slice(2, 8)}`, role }, index)) as { user: { id: string } };
  const { token } = (await cluster.admin('/api/admin/tokens', { tenant, user: user.id, ttlSeconds: 3600 }, index)) as { token: string };
  return { id: user.id, token };
}

function connect(url: string, room: string, token: string, doc = new Y.Doc()): WebsocketProvider {
  const provider = new WebsocketProvider(`${url.replace(/^http/, 'ws')}/sync`, room, doc, {
    protocols: ['plaza.v1', `plaza.auth.${token}`],
    WebSocketPolyfill: WsWebSocket as unknown as typeof WebSocket,
    disableBc: true,
    maxBackoffTime: 300,
  });
  ignorePlazaMessages(provider);
  cleanup.push(() => {
    provider.destroy();
    doc.destroy();
  });
  return provider;
}

async function storedDoc(databaseUrl: string, room: string): Promise<Y.Doc> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const doc = new Y.Doc();
    const { rows } = await client.query<{ data: Buffer }>('SELECT data FROM room_snapshots WHERE room = $1 UNION ALL SELECT data FROM room_updates WHERE room = $1', [room]);
    for (const row of rows) Y.applyUpdate(doc, row.data);
    return doc;
  } finally {
    await client.end();
  }
}

const CAP = 100_000;
const WORKERS = 50;

describe('several server processes', () => {
  it('50 concurrent streams over two processes cannot push one session past its $0.10 cap, and the cap is reached', { timeout: 240_000 }, async () => {
    const fake: FakeOpenAI = await startFakeOpenAI({ answer: () => 'word '.repeat(300), tokensPerChunk: 25, defaults: { chunkDelayMs: 2 } });
    cleanup.push(() => fake.close());
    const cluster = await startServerCluster({
      mode: 'cluster',
      processes: 2,
      env: {
        PLAZA_LLM_UPSTREAM_URL: fake.baseURL,
        PLAZA_LLM_API_KEY: fake.apiKey,
        PLAZA_LLM_SESSION_MICRO_USD: String(CAP),
        PLAZA_LLM_MAX_CALLS_PER_MINUTE: '10000',
        PLAZA_LLM_MAX_CALLS_PER_INPUT: '10000',
        PLAZA_LLM_LOOP_THRESHOLD: '1000',
        PLAZA_LLM_MAX_SESSION_MS: String(365 * 24 * 3_600_000),
        PLAZA_LLM_MAX_SESSION_SPEND_MICRO_USD: '1000000000',
        PLAZA_DATABASE_POOL_SIZE: '20',
      },
    });
    cleanup.push(() => cluster.close());
    const user = await newUser(cluster);
    const created = await fetch(`${cluster.url(0)}/api/llm/sessions`, { method: 'POST', headers: { authorization: `Bearer ${user.token}` } });
    expect(created.status).toBe(201);
    const sessionId = ((await created.json()) as { session: { sessionId: string } }).session.sessionId;
    const identity = { tenantId: 'default', userId: user.id, sessionId };
    const key = scopeKey('session', identity, 'session');
    const body = chatBody(sessionId, { model: 'gpt-4o', max_tokens: 500, stream: true });

    const db = new pg.Client({ connectionString: cluster.env.PLAZA_DATABASE_URL });
    await db.connect();
    cleanup.push(() => db.end());
    const scope = async () => (await db.query<{ committed: string; reserved: string }>('SELECT committed, reserved FROM llm_scopes WHERE key = $1', [key])).rows[0];
    let worst = 0;
    let samples = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const row = await scope();
        if (row) {
          samples += 1;
          worst = Math.max(worst, Number(row.committed) + Number(row.reserved));
        }
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();

    const refusals: Array<{ status: number; code: string; message: string }> = [];
    const admittedBy = [0, 0];
    const worker = async (index: number) => {
      const server = index % 2;
      for (let attempt = 0; attempt < 400; attempt += 1) {
        const response = await fetch(`${cluster.url(server)}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        if (response.status === 200) {
          admittedBy[server]! += 1;
          const { events } = await readSse(response);
          expect(events.at(-1)).toBe('[DONE]');
          continue;
        }
        const error = ((await response.json()) as { error: { code: string; message: string } }).error;
        refusals.push({ status: response.status, code: error.code, message: error.message });
        if (Number((await scope())?.reserved ?? 0) === 0) return;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, (_, index) => worker(index)));
    sampling = false;
    await sampler;

    const final = (await scope())!;
    const committed = Number(final.committed);
    expect(samples).toBeGreaterThan(10);
    expect(worst).toBeLessThanOrEqual(CAP);
    expect(Number(final.reserved)).toBe(0);
    expect(committed).toBeLessThanOrEqual(CAP);
    const model = DEFAULT_PRICES.models['gpt-4o']!;
    const smallest = worstCaseCost(model, reservedPromptTokens(countPromptTokens(body.messages as never), { percent: 10, tokens: 16 }), 64);
    expect(CAP - committed).toBeLessThan(smallest);
    // Both processes admitted calls: the cap held across them, not within one.
    expect(admittedBy[0]).toBeGreaterThan(5);
    expect(admittedBy[1]).toBeGreaterThan(5);
    expect(refusals.length).toBeGreaterThanOrEqual(WORKERS);
    for (const refusal of refusals) expect(refusal).toMatchObject({ status: 402, code: 'budget_exhausted' });
    const calls = await db.query<{ status: string; charged: string }>('SELECT status, charged FROM llm_calls WHERE session = $1', [sessionId]);
    expect(calls.rows).toHaveLength(admittedBy[0]! + admittedBy[1]!);
    expect(calls.rows.every((call) => call.status === 'settled')).toBe(true);
    expect(calls.rows.reduce((sum, call) => sum + Number(call.charged), 0)).toBe(committed);
    const alerts = await db.query<{ threshold: number }>("SELECT threshold FROM llm_alerts WHERE kind = 'session' AND session = $1", [sessionId]);
    expect(alerts.rows.map((alert) => alert.threshold).sort()).toEqual([100, 50, 80]);
  });

  it('SIGKILL one of three processes under load: clients move, nothing seen is lost, its lease moves and its deadline fires once', { timeout: 240_000 }, async () => {
    const cluster = await startServerCluster({ mode: 'cluster', processes: 3, env: { PLAZA_TEST_REFEREE: '1' } });
    cleanup.push(() => cluster.close());
    const balancer: LoadBalancer = await startLoadBalancer([0, 1, 2].map((index) => () => cluster.url(index)));
    cleanup.push(() => balancer.close());
    const redis = new Redis(cluster.env.PLAZA_REDIS_URL!);
    cleanup.push(() => redis.quit());
    const prefix = cluster.env.PLAZA_REDIS_PREFIX!;
    const queueLease = `${prefix}lease:queue:${JSON.stringify(['default', 'test'])}`;

    // Writers and observers of 6 rooms, spread over the processes by the balancer.
    const users = await Promise.all(Array.from({ length: 6 }, (_, index) => newUser(cluster, 'default', index)));
    const writers = users.map((user) => connect(balancer.url, roomNames.user('default', user.id), user.token));
    const observers = users.map((user) => connect(balancer.url, roomNames.user('default', user.id), user.token));
    await eventually(() => expect([...writers, ...observers].every((provider) => provider.synced)).toBe(true), 30_000);

    // A deadline, armed by whichever process holds the ("default", "test") queue.
    const owner = users[0]!;
    const outbox = connect(balancer.url, roomNames.outbox('default', owner.id), owner.token);
    const inbox = connect(balancer.url, roomNames.inbox('default', owner.id), owner.token);
    await eventually(() => expect(outbox.synced && inbox.synced).toBe(true), 30_000);
    const remind = writeIntent(outbox.doc, 'test.remind', { delayMs: 12_000 });
    await eventually(() => expect(decisionIn(inbox.doc, remind)?.status).toBe('accepted'), 30_000);
    const holder = await redis.get(queueLease);
    expect(holder).toMatch(/^proc\d-/);
    const victim = Number(holder!.slice(4, 5));

    let written = 0;
    const timer = setInterval(() => {
      for (const provider of writers) if (provider.wsconnected) provider.doc.getArray('log').push([written++]);
    }, 10);
    cleanup.push(() => clearInterval(timer));
    await eventually(() => expect(observers.every((provider) => provider.doc.getArray('log').length > 30)).toBe(true), 30_000);
    const moved = balancer.counts[victim]!;
    expect(moved).toBeGreaterThan(0);
    await cluster.kill(victim);
    // The deadline was armed by the victim and had not fired yet.
    expect(inbox.doc.getMap('state').get('reminders')).toBeUndefined();
    const seenAtKill = observers.map((provider) => provider.doc.getArray<number>('log').toArray());
    const writtenAtKill = written;

    // Its clients come back through the balancer on the other two; writing goes on.
    await eventually(() => expect([...writers, ...observers, outbox, inbox].every((provider) => provider.wsconnected && provider.synced)).toBe(true), 30_000);
    await eventually(() => expect(written).toBeGreaterThan(writtenAtKill + 60), 30_000);
    // The lease moved to a live process: new intents are decided, and the deadline fires once.
    const echo = writeIntent(outbox.doc, 'test.echo', { after: 'kill' });
    await eventually(() => expect(decisionIn(inbox.doc, echo)?.status).toBe('accepted'), 30_000);
    const newHolder = await redis.get(queueLease);
    expect(newHolder).toMatch(/^proc\d-/);
    expect(newHolder).not.toBe(holder);
    await eventually(() => expect(inbox.doc.getMap('state').get('reminders')).toBe(1), 40_000);
    clearInterval(timer);

    // Converged: every observer has its writer's log, and the store has everything any client saw.
    await eventually(() => {
      writers.forEach((writer, index) => expect(observers[index]!.doc.getArray('log').length).toBe(writer.doc.getArray('log').length));
    }, 30_000);
    for (let index = 0; index < users.length; index += 1) {
      const stored = new Set((await storedDoc(cluster.env.PLAZA_DATABASE_URL!, roomNames.user('default', users[index]!.id))).getArray<number>('log').toArray());
      for (const value of seenAtKill[index]!) expect(stored.has(value)).toBe(true);
      expect(stored.size).toBe(writers[index]!.doc.getArray('log').length);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(inbox.doc.getMap('state').get('reminders')).toBe(1);
    expect((await storedDoc(cluster.env.PLAZA_DATABASE_URL!, roomNames.inbox('default', owner.id))).getMap('state').get('reminders')).toBe(1);
  });
  it('a product image uploaded through process A is served by process B, and the same bytes through B are the same blob; no data directory holds it', { timeout: 120_000 }, async () => {
    const cluster = await startServerCluster({ mode: 'cluster', processes: 2 });
    cleanup.push(() => cluster.close());
    const admin = await newUser(cluster, 'default', 0, 'admin');
    const image = png(...Array.from({ length: 64 * 1024 }, (_, index) => index % 256));
    const upload = (index: number) =>
      fetch(`${cluster.url(index)}/api/blobs`, { method: 'POST', body: image, headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'image/png' } });
    const created = await upload(0);
    expect(created.status).toBe(201);
    const hash = blobHash(image);
    expect(await created.json()).toEqual({ hash, mime: 'image/png', size: image.byteLength, url: `/blobs/default/${hash}` });
    const served = await fetch(`${cluster.url(1)}/blobs/default/${hash}`);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(image);
    const again = await upload(1);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ hash, url: `/blobs/default/${hash}` });
    for (const server of cluster.servers) expect(readdirSync(server.dataDir).filter((name) => name.startsWith('blobs'))).toEqual([]);
  });
});
