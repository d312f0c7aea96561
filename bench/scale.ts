/**
 * `npm run bench:scale`: the load of bench:sync (500 rooms × 3 clients, 500 updates/s, 30 s, load
 * generator in its own process) against, in one run:
 *   1. one process on the embedded SQLite store (today's default),
 *   2. one process on Postgres,
 *   3. two processes on Postgres + Redis, the clients of every room spread over both (so every
 *      update crosses Redis to reach at least one of its room's clients).
 * Postgres and Redis are throwaway local processes (sync-server/src/test-support/infra.ts).
 * Prints fan-out p50/p99, updates/s sent and delivered, drops, and each server's RSS.
 * Flags: --rooms --clients --rate --seconds --only sqlite|postgres|cluster (repeatable, comma list).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startServerCluster, type ClusterMode, type ServerCluster } from '../sync-server/src/test-support/server-cluster.ts';
import { BENCH_DIR, rssMiB, runJsonProcess } from './lib/processes.ts';

const { values } = parseArgs({
  options: {
    rooms: { type: 'string', default: '500' },
    clients: { type: 'string', default: '3' },
    rate: { type: 'string', default: '500' },
    seconds: { type: 'string', default: '30' },
    only: { type: 'string', default: 'sqlite,postgres,cluster' },
  },
});
const rooms = Number(values.rooms);
const clientsPerRoom = Number(values.clients);
const updatesPerSecond = Number(values.rate);
const seconds = Number(values.seconds);
const modes = values.only.split(',').map((mode) => mode.trim()) as ClusterMode[];

interface LoadResult {
  clients: number;
  sent: number;
  expected: number;
  received: number;
  dropped: number;
  p50: number;
  p99: number;
  max: number;
  connectMs: number;
  seconds: number;
}

interface Row extends LoadResult {
  readonly label: string;
  readonly rss: number[];
}

async function users(cluster: ServerCluster): Promise<Array<{ name: string; token: string }>> {
  const list: Array<{ name: string; token: string }> = [];
  const batch = 20;
  for (let start = 0; start < rooms; start += batch) {
    const made = await Promise.all(
      Array.from({ length: Math.min(batch, rooms - start) }, async (_, offset) => {
        const index = start + offset;
        const { user } = (await cluster.admin('/api/admin/users', { tenant: 'default', displayName: `Bench ${index}` }, index)) as { user: { id: string } };
        const { token } = (await cluster.admin('/api/admin/tokens', { tenant: 'default', user: user.id, ttlSeconds: 7200 }, index)) as { token: string };
        return { name: `t/default/u/${user.id}`, token };
      }),
    );
    list.push(...made);
  }
  return list;
}

async function bench(mode: ClusterMode): Promise<Row> {
  const cluster = await startServerCluster({
    mode,
    processes: 2,
    infraOwnerPid: process.pid,
    env: { PLAZA_MAX_CONNECTIONS_PER_IP: '100000', PLAZA_LOG_LEVEL: 'warn', PLAZA_IDLE_UNLOAD_MS: '30000', PLAZA_DATABASE_POOL_SIZE: '20' },
  });
  try {
    const list = await users(cluster);
    const urls = cluster.servers.map((server) => `${server.url.replace(/^http/, 'ws')}/sync`);
    const result = await runJsonProcess<LoadResult>(path.join(BENCH_DIR, 'lib/sync-load.ts'), { syncUrl: urls[0], syncUrls: urls, rooms: list, clientsPerRoom, updatesPerSecond, seconds, plaza: true });
    const label = mode === 'sqlite' ? '1 process, SQLite' : mode === 'postgres' ? '1 process, Postgres' : `${cluster.servers.length} processes, Postgres + Redis`;
    return { ...result, label, rss: cluster.servers.map((server) => rssMiB(server.child.pid!)) };
  } finally {
    await cluster.close();
  }
}

console.log(`bench:scale — ${rooms} rooms × ${clientsPerRoom} clients, ${updatesPerSecond} updates/s for ${seconds} s; Node ${process.version}; ${(await import('node:os')).cpus().length} cores`);
const rows: Row[] = [];
for (const mode of modes) {
  const row = await bench(mode);
  rows.push(row);
  console.log(
    `${row.label.padEnd(34)} p50 ${row.p50.toFixed(2).padStart(7)} ms   p99 ${row.p99.toFixed(2).padStart(8)} ms   max ${row.max.toFixed(0).padStart(6)} ms   ` +
      `sent ${(row.sent / row.seconds).toFixed(0).padStart(4)}/s   delivered ${(row.received / row.seconds).toFixed(0).padStart(5)}/s   dropped ${String(row.dropped).padStart(5)} of ${row.expected}   ` +
      `RSS ${row.rss.map((value) => `${value.toFixed(0)} MiB`).join(' + ')}`,
  );
}
const single = rows.find((row) => row.label.startsWith('1 process, Postgres')) ?? rows[0];
const many = rows.find((row) => row.label.includes('Redis'));
if (single && many && single !== many) {
  console.log(`two processes vs one (${single.label}): p50 ${(many.p50 / single.p50).toFixed(2)}×, p99 ${(many.p99 / single.p99).toFixed(2)}× — on ${(await import('node:os')).cpus().length} cores shared with the load generator, Postgres and Redis, a second process adds a Redis hop rather than CPU.`);
}
process.exit(0);
