/**
 * Randomized convergence: three client replicas, each in its own process with durable RxDB,
 * make random edits through network partitions, client restarts and a server restart. Each
 * replica logs what it wrote; at the end every replica's RxDB projection is identical AND holds
 * every logged edit (nothing silently lost).
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { temporaryDir } from '../../../sync-server/src/test-support/harness.ts';
import { CLUSTER_MODES, startServerCluster } from '../../../sync-server/src/test-support/server-cluster.ts';
import { ReplicaDriver } from './test-support/replica-driver.ts';
import type { ProjectedProduct, ReplicaOp } from './test-support/replica-process.ts';

const SEED = Number(process.env.PLAZA_CONVERGENCE_SEED ?? 20261125);
const ROUNDS = 14;

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const cleanup: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const step of cleanup.reverse()) await step();
});

// The same test on the embedded store, on Postgres, and on two server processes (Postgres + Redis)
// with the replicas spread over them (replica i talks to process i mod 2; restarts hit one process).
describe.each(CLUSTER_MODES)('convergence (%s)', (mode) => {
  it(`3 replicas, random edits, partitions, client restarts and a server restart converge without losing a logged edit (seed ${SEED})`, { timeout: 360_000 }, async () => {
    const rng = random(SEED);
    const cluster = await startServerCluster({ mode });
    cleanup.push(() => cluster.close());
    const principals: Array<{ principal: { tenant: string; user: string; role: 'admin' }; token: string }> = [];
    for (let index = 0; index < 3; index += 1) {
      const { user } = (await cluster.admin('/api/admin/users', { tenant: 'default', displayName: `Replica ${index}`, role: 'admin' }, index)) as { user: { id: string } };
      const { token } = (await cluster.admin('/api/admin/tokens', { tenant: 'default', user: user.id, ttlSeconds: 3600 }, index)) as { token: string };
      principals.push({ principal: { tenant: 'default', user: user.id, role: 'admin' as const }, token });
    }
    const storageDir = temporaryDir('plaza-replicas-');
    const online = [true, true, true];
    const replicas: ReplicaDriver[] = [];
    const startReplica = async (index: number) => {
      const driver = new ReplicaDriver(path.join(storageDir, `replica-${index}.db`));
      await driver.ready;
      await driver.send({ type: 'init', serverUrl: cluster.url(index), principal: principals[index]!.principal, token: principals[index]!.token, online: online[index]! });
      replicas[index] = driver;
    };
    for (let index = 0; index < 3; index += 1) await startReplica(index);
    cleanup.push(() => replicas.forEach((replica) => replica.kill()));

    // What each replica wrote to its own products: the expected final state of each.
    const expected = new Map<string, ProjectedProduct | null>();
    let counter = 0;
    for (let round = 0; round < ROUNDS; round += 1) {
      for (let index = 0; index < 3; index += 1) {
        const ops: ReplicaOp[] = [];
        const own = [...expected.entries()].filter(([id, value]) => id.startsWith(`r${index}-`) && value !== null).map(([id]) => id);
        for (let step = 0; step < 1 + Math.floor(rng() * 4); step += 1) {
          const roll = rng();
          if (roll < 0.5 || own.length === 0) {
            const id = `r${index}-p${counter++}`;
            const op = { kind: 'put' as const, id, title: `Item ${id}`, amount: 100 + Math.floor(rng() * 9000) };
            ops.push(op);
            expected.set(id, { id, title: op.title, amount: op.amount });
            own.push(id);
          } else if (roll < 0.8) {
            const id = own[Math.floor(rng() * own.length)]!;
            const op = { kind: 'put' as const, id, title: `Renamed ${id} in round ${round}`, amount: 100 + Math.floor(rng() * 9000) };
            ops.push(op);
            expected.set(id, { id, title: op.title, amount: op.amount });
          } else {
            const id = own.splice(Math.floor(rng() * own.length), 1)[0]!;
            ops.push({ kind: 'delete', id });
            expected.set(id, null);
          }
        }
        // Everyone also fights over one shared product: only convergence is checked for it.
        ops.push({ kind: 'put', id: 'shared', title: `Shared by ${index} in round ${round}`, amount: 100 + index });
        await replicas[index]!.send({ type: 'ops', ops });
      }
      const event = rng();
      const who = Math.floor(rng() * 3);
      if (event < 0.35) {
        online[who] = !online[who];
        await replicas[who]!.send({ type: 'network', online: online[who]! });
      } else if (event < 0.55) {
        await replicas[who]!.stop();
        await startReplica(who);
      } else if (round === Math.floor(ROUNDS / 2) || (event < 0.62 && round > 2)) {
        await cluster.restart(who % cluster.servers.length);
      }
    }
    for (let index = 0; index < 3; index += 1) {
      if (!online[index]) await replicas[index]!.send({ type: 'network', online: true });
    }
    const snapshots = await Promise.all(replicas.map((replica) => replica.send<{ status: string; products: ProjectedProduct[] }>({ type: 'settle' })));
    // A replica may settle before another one's last edits arrived: settle again until stable.
    let final = snapshots;
    for (let attempt = 0; attempt < 20 && JSON.stringify(final.map((snapshot) => snapshot.products)) !== JSON.stringify(final.map(() => final[0]!.products)); attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      final = await Promise.all(replicas.map((replica) => replica.send<{ status: string; products: ProjectedProduct[] }>({ type: 'settle' })));
    }
    expect(final.map((snapshot) => snapshot.status)).toEqual(['synced', 'synced', 'synced']);
    expect(final[1]!.products).toEqual(final[0]!.products);
    expect(final[2]!.products).toEqual(final[0]!.products);
    const byId = new Map(final[0]!.products.map((product) => [product.id, product]));
    for (const [id, value] of expected) {
      if (value === null) expect(byId.has(id), `${id} was deleted`).toBe(false);
      else expect(byId.get(id), `${id} as last written`).toEqual(value);
    }
    expect(byId.get('shared')?.title).toMatch(/^Shared by \d in round \d+$/);
    expect(expected.size).toBeGreaterThan(20);
    for (const replica of replicas) await replica.stop();
    await cluster.close();
  });
});
