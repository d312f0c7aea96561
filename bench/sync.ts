/**
 * `npm run bench:sync`: 500 rooms × 3 clients, 500 updates/s in total, 30 s, load generator in
 * its own process, against (a) Plaza's server (auth + durable SQLite store) and (b) the reference
 * y-websocket server, in one run. Prints fan-out latency p50/p99, dropped updates, server RSS,
 * and Plaza's ratios to the reference. Flags: --rooms --clients --rate --seconds.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startServerProcess } from '../build/scripts/server-process.ts';
import { BENCH_DIR, rssMiB, runJsonProcess, startReferenceServer } from './lib/processes.ts';

const { values } = parseArgs({ options: { rooms: { type: 'string', default: '500' }, clients: { type: 'string', default: '3' }, rate: { type: 'string', default: '500' }, seconds: { type: 'string', default: '30' } } });
const rooms = Number(values.rooms);
const clientsPerRoom = Number(values.clients);
const updatesPerSecond = Number(values.rate);
const seconds = Number(values.seconds);

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
}

async function benchPlaza(): Promise<LoadResult & { rssMiB: number }> {
  const server = await startServerProcess({ env: { PLAZA_MAX_CONNECTIONS_PER_IP: '100000', PLAZA_LOG_LEVEL: 'warn' } });
  try {
    const key = readFileSync(path.join(server.dataDir, 'keys/operator.key'), 'utf8').trim();
    const call = async (route: string, body: unknown) => {
      const response = await fetch(`${server.url}${route}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return (await response.json()) as Record<string, unknown>;
    };
    const list: Array<{ name: string; token: string }> = [];
    for (let index = 0; index < rooms; index += 1) {
      const { user } = (await call('/api/admin/users', { tenant: 'default', displayName: `Bench ${index}` })) as { user: { id: string } };
      const { token } = (await call('/api/admin/tokens', { tenant: 'default', user: user.id, ttlSeconds: 7200 })) as { token: string };
      list.push({ name: `t/default/u/${user.id}`, token });
    }
    const result = await runJsonProcess<LoadResult>(path.join(BENCH_DIR, 'lib/sync-load.ts'), { syncUrl: `${server.url.replace(/^http/, 'ws')}/sync`, rooms: list, clientsPerRoom, updatesPerSecond, seconds, plaza: true });
    return { ...result, rssMiB: rssMiB(server.child.pid!) };
  } finally {
    await server.stop();
  }
}

async function benchReference(): Promise<LoadResult & { rssMiB: number }> {
  const server = await startReferenceServer();
  try {
    const list = Array.from({ length: rooms }, (_unused, index) => ({ name: `bench-room-${index}`, token: null }));
    const result = await runJsonProcess<LoadResult>(path.join(BENCH_DIR, 'lib/sync-load.ts'), { syncUrl: server.url.replace(/^http/, 'ws'), rooms: list, clientsPerRoom, updatesPerSecond, seconds, plaza: false });
    return { ...result, rssMiB: rssMiB(server.child.pid!) };
  } finally {
    await server.stop();
  }
}

console.log(`bench:sync — ${rooms} rooms × ${clientsPerRoom} clients, ${updatesPerSecond} updates/s for ${seconds} s (Node ${process.version})`);
const reference = await benchReference();
const plaza = await benchPlaza();
const row = (name: string, result: LoadResult & { rssMiB: number }) =>
  `${name.padEnd(26)} p50 ${result.p50.toFixed(2).padStart(7)} ms   p99 ${result.p99.toFixed(2).padStart(8)} ms   max ${result.max.toFixed(1).padStart(7)} ms   dropped ${String(result.dropped).padStart(5)} of ${result.expected}   server RSS ${result.rssMiB.toFixed(0).padStart(5)} MiB`;
console.log(row('reference (no auth/store)', reference));
console.log(row('plaza (auth + SQLite)', plaza));
console.log(`ratios plaza/reference: p50 ${(plaza.p50 / reference.p50).toFixed(2)}× (target ≤ 1.5×), p99 ${(plaza.p99 / reference.p99).toFixed(2)}× (target ≤ 2×), RSS ${(plaza.rssMiB / reference.rssMiB).toFixed(2)}×; dropped ${plaza.dropped} (target 0)`);
