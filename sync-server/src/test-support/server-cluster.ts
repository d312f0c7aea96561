/**
 * Real server processes for tests and benchmarks, in three shapes with one interface:
 * - `sqlite`: one process on the embedded store (today's default);
 * - `postgres`: one process on a fresh Postgres database;
 * - `cluster`: N processes on one fresh Postgres database and one Redis prefix, sharing the token
 *   key and the operator credential, each on its own port (any of them accepts any client).
 * Processes can be stopped (SIGTERM), killed (SIGKILL) and restarted on the same port.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import { startServerProcess, type ServerProcess } from '../../../build/scripts/server-process.ts';
import { ensureInfra, freshDatabase, freshPrefix } from './infra.ts';

export const CLUSTER_MODES = ['sqlite', 'postgres', 'cluster'] as const;
export type ClusterMode = (typeof CLUSTER_MODES)[number];

export interface ServerCluster {
  readonly mode: ClusterMode;
  readonly operatorKey: string;
  /** The environment every process of this cluster runs with. */
  readonly env: Record<string, string>;
  readonly servers: ServerProcess[];
  /** A process's URL (index modulo the number of processes). */
  url(index: number): string;
  /** Stops process `index` gracefully (SIGTERM) and starts it again on the same port and data directory. */
  restart(index: number): Promise<void>;
  /** SIGKILL: a crash. */
  kill(index: number): Promise<void>;
  /** Starts a killed or stopped process again. */
  start(index: number): Promise<void>;
  /** An operator API call on process `index`. */
  admin(route: string, body: unknown, index?: number): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const port = (probe.address() as net.AddressInfo).port;
      probe.close(() => resolve(port));
    });
  });
}

export interface ClusterOptions {
  readonly mode: ClusterMode;
  /** Processes in `cluster` mode (default 2); the other modes have one. */
  readonly processes?: number;
  /** Extra environment for every process. */
  readonly env?: Record<string, string>;
  readonly echo?: boolean;
  /** Owner of the throwaway Postgres/Redis (benchmarks pass their own pid). */
  readonly infraOwnerPid?: number;
}

export async function startServerCluster(options: ClusterOptions): Promise<ServerCluster> {
  const count = options.mode === 'cluster' ? (options.processes ?? 2) : 1;
  const operatorKey = `op_${randomBytes(24).toString('base64url')}`;
  const pair = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const env: Record<string, string> = {
    PLAZA_OPERATOR_KEY: operatorKey,
    PLAZA_ACCESS_TOKEN_KEY: JSON.stringify(await exportJWK(pair.privateKey)),
    PLAZA_IDLE_UNLOAD_MS: '2000',
    ...options.env,
  };
  if (options.mode !== 'sqlite') {
    const infra = await ensureInfra(options.infraOwnerPid === undefined ? {} : { ownerPid: options.infraOwnerPid });
    env.PLAZA_DATABASE_URL = await freshDatabase(infra, 'cluster');
    if (options.mode === 'cluster') {
      env.PLAZA_REDIS_URL = infra.redisUrl;
      env.PLAZA_REDIS_PREFIX = freshPrefix('test');
      env.PLAZA_LEASE_TTL_MS ??= '2000';
      env.PLAZA_CLUSTER_HEARTBEAT_MS ??= '500';
      env.PLAZA_QUEUE_SWEEP_MS ??= '300';
      env.PLAZA_RESYNC_EVERY_MS ??= '1000';
      env.PLAZA_LLM_RECOVER_EVERY_MS ??= '1000';
    }
  }
  const ports = await Promise.all(Array.from({ length: count }, () => freePort()));
  const dataDirs = ports.map(() => mkdtempSync(path.join(os.tmpdir(), 'plaza-cluster-')));
  const servers: ServerProcess[] = [];
  const launch = (index: number) =>
    startServerProcess({ dataDir: dataDirs[index]!, port: ports[index]!, env: { ...env, PLAZA_PROCESS_ID: `proc${index}-${randomBytes(3).toString('hex')}` }, startTimeoutMs: 60_000, ...(options.echo ? { echo: true } : {}) });
  // The first one alone applies the migrations; the others then start together.
  servers[0] = await launch(0);
  await Promise.all(Array.from({ length: count - 1 }, async (_, offset) => {
    servers[offset + 1] = await launch(offset + 1);
  }));
  const alive = (index: number) => {
    const child = servers[index]!.child;
    return child.exitCode === null && child.signalCode === null;
  };
  const cluster: ServerCluster = {
    mode: options.mode,
    operatorKey,
    env,
    servers,
    url: (index) => servers[index % servers.length]!.url,
    restart: async (index) => {
      await servers[index]!.stop();
      servers[index] = await launch(index);
    },
    kill: async (index) => {
      await servers[index]!.kill();
    },
    start: async (index) => {
      if (alive(index)) return;
      servers[index] = await launch(index);
    },
    admin: async (route, body, index = 0) => {
      const response = await fetch(`${servers[index % servers.length]!.url}${route}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${operatorKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return (await response.json()) as Record<string, unknown>;
    },
    close: async () => {
      await Promise.allSettled(servers.map((server, index) => (alive(index) ? server.stop() : Promise.resolve(null))));
    },
  };
  return cluster;
}
