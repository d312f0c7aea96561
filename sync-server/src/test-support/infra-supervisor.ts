/**
 * Runs a throwaway PostgreSQL 15 and Redis for one test run (or one benchmark), on 127.0.0.1,
 * with data in a temporary directory: `node infra-supervisor.ts <owner pid> <state dir>`.
 * Writes `<state dir>/state.json` ({ databaseUrl, redisUrl }) once both answer, then watches the
 * owner process and stops both (and removes their data) when it is gone. Started detached by
 * `infra.ts`, so every test process of a run shares one pair through that file.
 *
 * Postgres refuses to run as root: as root, `initdb` and `postgres` run through `runuser -u
 * postgres` on a directory that user owns.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

const PG_BIN = process.env.PLAZA_PG_BIN ?? '/usr/lib/postgresql/15/bin';

const [ownerArg, stateDir] = process.argv.slice(2);
const owner = Number(ownerArg);
if (!Number.isInteger(owner) || !stateDir) {
  process.stderr.write('usage: infra-supervisor.ts <owner pid> <state dir>\n');
  process.exit(2);
}

function log(message: string): void {
  try {
    writeFileSync(path.join(stateDir!, 'supervisor.log'), `${new Date().toISOString()} ${message}\n`, { flag: 'a' });
  } catch {
    // the state directory may be gone already
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const asRoot = process.getuid?.() === 0;
function pgCommand(binary: string, args: string[]): [string, string[]] {
  const full = path.join(PG_BIN, binary);
  return asRoot ? ['runuser', ['-u', 'postgres', '--', full, ...args]] : [full, args];
}

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} did not start within ${timeoutMs} ms`);
}

const children: ChildProcess[] = [];

async function main(): Promise<void> {
  const pgData = path.join(stateDir!, 'pg');
  mkdirSync(pgData, { recursive: true, mode: 0o700 });
  if (asRoot) {
    const ids = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gids = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    chownSync(pgData, Number(ids.stdout.trim()), Number(gids.stdout.trim()));
    chownSync(stateDir!, Number(ids.stdout.trim()), Number(gids.stdout.trim()));
  }
  const [initCmd, initArgs] = pgCommand('initdb', ['-D', pgData, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C']);
  const init = spawnSync(initCmd, initArgs, { encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
  const pgPort = await freePort();
  const [pgCmd, pgArgs] = pgCommand('postgres', [
    '-D', pgData, '-p', String(pgPort), '-k', pgData, '-c', 'listen_addresses=127.0.0.1',
    // Throwaway data: durability off for speed (the tests check Plaza's ordering, not the disk).
    '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=400', '-c', 'shared_buffers=128MB',
  ]);
  const postgres = spawn(pgCmd, pgArgs, { stdio: ['ignore', 'ignore', 'pipe'] });
  postgres.stderr?.on('data', (chunk: Buffer) => log(`postgres: ${chunk.toString().trim()}`));
  children.push(postgres);
  const redisPort = await freePort();
  const redis = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no', '--dir', stateDir!], { stdio: ['ignore', 'ignore', 'pipe'] });
  redis.stderr?.on('data', (chunk: Buffer) => log(`redis: ${chunk.toString().trim()}`));
  children.push(redis);
  await waitFor('postgres', async () => {
    if (!(await connects(pgPort))) return false;
    const [cmd, args] = pgCommand('pg_isready', ['-h', '127.0.0.1', '-p', String(pgPort), '-U', 'postgres']);
    return spawnSync(cmd, args).status === 0;
  }, 60_000);
  await waitFor('redis', () => connects(redisPort), 30_000);
  const state = { databaseUrl: `postgres://postgres@127.0.0.1:${pgPort}/postgres`, redisUrl: `redis://127.0.0.1:${redisPort}`, supervisor: process.pid };
  writeFileSync(path.join(stateDir!, 'state.json.tmp'), JSON.stringify(state));
  renameSync(path.join(stateDir!, 'state.json.tmp'), path.join(stateDir!, 'state.json'));
  log(`ready ${JSON.stringify(state)}`);
  const timer = setInterval(() => {
    if (!alive(owner) || !existsSync(stateDir!)) void stop(0);
  }, 500);
  postgres.once('exit', (code) => {
    log(`postgres exited ${code}`);
    clearInterval(timer);
    void stop(1);
  });
}

let stopping = false;
async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  // `runuser` does not pass signals on: signal the postmaster itself (first line of postmaster.pid).
  const pidFile = path.join(stateDir!, 'pg', 'postmaster.pid');
  const postmaster = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').split('\n')[0]) : NaN;
  if (Number.isInteger(postmaster) && postmaster > 0 && alive(postmaster)) process.kill(postmaster, 'SIGINT');
  for (const child of children) if (child.exitCode === null) child.kill('SIGINT');
  const deadline = Date.now() + 10_000;
  const running = () => children.some((child) => child.exitCode === null && child.signalCode === null) || (Number.isInteger(postmaster) && postmaster > 0 && alive(postmaster));
  while (running() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  if (Number.isInteger(postmaster) && postmaster > 0 && alive(postmaster)) process.kill(postmaster, 'SIGKILL');
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(stateDir!, { recursive: true, force: true });
  process.exit(code);
}

process.on('SIGTERM', () => void stop(0));
process.on('SIGINT', () => void stop(0));
main().catch((error: unknown) => {
  log(`failed: ${(error as Error).stack ?? String(error)}`);
  writeFileSync(path.join(stateDir!, 'failed'), String((error as Error).message));
  void stop(1);
});
