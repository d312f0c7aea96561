/**
 * Real PostgreSQL and Redis for tests and benchmarks, started once per run and shared by URL.
 * `PLAZA_TEST_DATABASE_URL` and `PLAZA_TEST_REDIS_URL` point at running ones; otherwise the first
 * test process of a Vitest run starts `infra-supervisor.ts` (detached, watching the Vitest main
 * process) and every other one waits for its `state.json`. Each test gets its own database
 * (`freshDatabase`) and its own Redis key prefix, so tests never see each other's data.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface Infra {
  readonly databaseUrl: string;
  readonly redisUrl: string;
}

let cached: Promise<Infra> | null = null;

/** Starts (or finds) the run's Postgres and Redis. `ownerPid`: whose exit stops them (default: the Vitest main process). */
export function ensureInfra(options: { ownerPid?: number; timeoutMs?: number } = {}): Promise<Infra> {
  cached ??= locate(options.ownerPid ?? process.ppid, options.timeoutMs ?? 90_000);
  return cached;
}

async function locate(ownerPid: number, timeoutMs: number): Promise<Infra> {
  const databaseUrl = process.env.PLAZA_TEST_DATABASE_URL;
  const redisUrl = process.env.PLAZA_TEST_REDIS_URL;
  if (databaseUrl && redisUrl) return { databaseUrl, redisUrl };
  const stateDir = path.join(os.tmpdir(), `plaza-infra-${ownerPid}`);
  const stateFile = path.join(stateDir, 'state.json');
  let created = false;
  try {
    mkdirSync(stateDir, { mode: 0o755 });
    created = true;
  } catch {
    // another test process of this run is starting them
  }
  if (created) {
    const script = path.join(import.meta.dirname, 'infra-supervisor.ts');
    const child = spawn(process.execPath, [script, String(ownerPid), stateDir], { detached: true, stdio: 'ignore' });
    child.unref();
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (existsSync(stateFile)) {
      const state = JSON.parse(readFileSync(stateFile, 'utf8')) as Infra;
      return { databaseUrl: state.databaseUrl, redisUrl: state.redisUrl };
    }
    if (existsSync(path.join(stateDir, 'failed'))) throw new Error(`test Postgres/Redis failed to start: ${readFileSync(path.join(stateDir, 'failed'), 'utf8')}; see ${stateDir}/supervisor.log`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`test Postgres/Redis did not start within ${timeoutMs} ms (see ${stateDir}/supervisor.log)`);
}

/** A new empty database on the run's Postgres; returns its URL. */
export async function freshDatabase(infra: Infra, label = 'plaza'): Promise<string> {
  const name = `${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(5).toString('hex')}`;
  const client = new pg.Client({ connectionString: infra.databaseUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(infra.databaseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A Redis key prefix of one's own (one "cluster" of test servers). */
export function freshPrefix(label = 'plaza'): string {
  return `${label}-${randomBytes(4).toString('hex')}:`;
}
