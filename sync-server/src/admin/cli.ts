/**
 * `npm run admin -- <command> [flags]`: the operator's tool. It acts through the running server
 * when one runs on the data directory (so changes take effect at once: a removed member is
 * disconnected), and on the data directory directly when none runs.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ROLES } from '../../../shared/sync/rooms.ts';
import { Directory } from '../auth/directory.ts';
import { createTenant, createUser, DirectoryError } from '../auth/provisioning.ts';
import { operatorSecretFile, TokenService } from '../auth/tokens.ts';
import { SERVER_INFO_FILE } from '../server.ts';
import { SqliteStore } from '../store/sqlite.ts';
import type { Store } from '../store/types.ts';
import { backupDataDir, BackupError, POSTGRES_BACKUP_HELP, restoreDataDir } from './backup.ts';

const USAGE = `Plaza admin

Usage: npm run admin -- <command> [--data-dir <path>] [flags]

Commands:
  tenants                                       list tenants
  tenant-create --id <id> --name <name> [--no-guests]
  members --tenant <id>                         list a tenant's members
  user-create --tenant <id> --name <name> [--email <e>] [--role owner|admin|member|guest]
  role --tenant <id> --user <id> --role owner|admin|member|guest|none
  token --tenant <id> --user <id> [--ttl <seconds>]   mint a development access token
  backup [--out <file>]                         consistent online copy of the embedded store
                                                (default: <data-dir>/backups/plaza-backup-<time>.db)
  restore --from <file>                         replace the embedded store with a backup (server stopped)

With PLAZA_DATABASE_URL set (Postgres), backup and restore explain the pg_dump / pg_restore commands.

The data directory defaults to $PLAZA_DATA_DIR or ./.plaza-data.
`;

export class CliError extends Error {
  override readonly name = 'CliError';
}

interface Backend {
  readonly via: 'server' | 'data-dir';
  call(method: string, route: string, body?: unknown): Promise<unknown>;
  close(): Promise<void>;
}

async function serverBackend(dataDir: string): Promise<Backend | null> {
  const infoFile = path.join(dataDir, SERVER_INFO_FILE);
  if (!existsSync(infoFile)) return null;
  const info = JSON.parse(readFileSync(infoFile, 'utf8')) as { url: string };
  try {
    const health = await fetch(`${info.url}/healthz`, { signal: AbortSignal.timeout(1500) });
    if (!health.ok) return null;
  } catch {
    return null;
  }
  const key = readFileSync(operatorSecretFile(dataDir), 'utf8').trim();
  return {
    via: 'server',
    call: async (method, route, body) => {
      const response = await fetch(`${info.url}${route}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const json = (await response.json()) as { error?: { message: string } };
      if (!response.ok) throw new CliError(json.error?.message ?? `HTTP ${response.status}`);
      return json;
    },
    close: async () => undefined,
  };
}

async function dataDirBackend(dataDir: string, databaseUrl: string | undefined): Promise<Backend> {
  if (!databaseUrl && !existsSync(dataDir)) throw new CliError(`no data directory at ${dataDir} (start the server once, or pass --data-dir)`);
  // With PLAZA_DATABASE_URL the directory lives in Postgres (a cluster's shared store).
  const store: Store = databaseUrl
    ? await (await import('../store/postgres/postgres-store.ts')).PostgresStore.open({ url: databaseUrl, processId: `admin-${process.pid}`, poolSize: 2 })
    : SqliteStore.open(dataDir);
  const directory = new Directory(store.directory, 0);
  const tokens = await TokenService.fromDataDir(dataDir, process.env.PLAZA_ACCESS_TOKEN_KEY);
  const now = Date.now();
  return {
    via: 'data-dir',
    close: () => store.close(),
    call: async (method, route, body) => {
      const input = (body ?? {}) as Record<string, string | number | boolean | null>;
      try {
        if (method === 'GET' && route === '/api/admin/tenants') return { tenants: await store.directory.listTenants() };
        if (method === 'POST' && route === '/api/admin/tenants') return { tenant: await createTenant(store.directory, { id: String(input.id), name: String(input.name), guestsMayBrowse: input.guestsMayBrowse !== false, now }) };
        if (method === 'POST' && route === '/api/admin/users') {
          const role = (input.role ?? 'member') as (typeof ROLES)[number];
          const user = await createUser(directory, { tenant: String(input.tenant), displayName: String(input.displayName), role, kind: role === 'guest' ? 'guest' : 'account', email: input.email ? String(input.email) : undefined, now });
          return { user: { id: user.id, displayName: user.displayName, email: user.email } };
        }
        if (method === 'PUT' && route === '/api/admin/memberships') {
          if (!(await store.directory.tenant(String(input.tenant)))) throw new CliError('no such tenant');
          if (!(await store.directory.user(String(input.user)))) throw new CliError('no such user');
          await directory.setRole(String(input.tenant), String(input.user), (input.role ?? null) as (typeof ROLES)[number] | null, now);
          return { ok: true };
        }
        const members = /^\/api\/admin\/tenants\/([^/]+)\/members$/.exec(route);
        if (method === 'GET' && members) {
          const list = await store.directory.members(members[1]!);
          return { members: await Promise.all(list.map(async (member) => ({ ...(await store.directory.user(member.user)), role: member.role }))) };
        }
        if (method === 'POST' && route === '/api/admin/tokens') {
          const user = await store.directory.user(String(input.user));
          const membership = await store.directory.membership(String(input.tenant), String(input.user));
          if (!user || !membership) throw new CliError('that user is not a member of that tenant');
          return tokens.issue({ tenant: membership.tenant, user: user.id, role: membership.role, name: user.displayName, session: 'dev-cli', kind: user.kind }, Number(input.ttlSeconds ?? 3600));
        }
      } catch (error) {
        if (error instanceof DirectoryError) throw new CliError(error.message);
        throw error;
      }
      throw new CliError(`unsupported: ${method} ${route}`);
    },
  };
}

function required(flags: Record<string, unknown>, name: string): string {
  const value = flags[name];
  if (typeof value !== 'string' || value.length === 0) throw new CliError(`--${name} is required\n\n${USAGE}`);
  return value;
}

export async function runCli(argv: readonly string[], environment: NodeJS.ProcessEnv, print: (line: string) => void): Promise<void> {
  const { values: flags, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      'data-dir': { type: 'string' },
      id: { type: 'string' },
      name: { type: 'string' },
      tenant: { type: 'string' },
      user: { type: 'string' },
      email: { type: 'string' },
      role: { type: 'string' },
      ttl: { type: 'string' },
      out: { type: 'string' },
      from: { type: 'string' },
      'no-guests': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals[0];
  if (!command || flags.help) {
    print(USAGE);
    return;
  }
  const dataDir = path.resolve(flags['data-dir'] ?? environment.PLAZA_DATA_DIR ?? '.plaza-data');
  if (command === 'backup' || command === 'restore') {
    if (environment.PLAZA_DATABASE_URL) throw new CliError(POSTGRES_BACKUP_HELP);
    try {
      if (command === 'backup') {
        const written = await backupDataDir(dataDir, flags.out);
        print(JSON.stringify({ via: 'data-dir', backup: written.file, bytes: written.bytes }, null, 2));
      } else {
        const running = (await serverBackend(dataDir)) !== null;
        const restored = await restoreDataDir(dataDir, required(flags, 'from'), running);
        print(JSON.stringify({ via: 'data-dir', ...restored }, null, 2));
      }
    } catch (error) {
      if (error instanceof BackupError) throw new CliError(error.message);
      throw error;
    }
    return;
  }
  const backend = (await serverBackend(dataDir)) ?? (await dataDirBackend(dataDir, environment.PLAZA_DATABASE_URL));
  try {
    let result: unknown;
    switch (command) {
      case 'tenants':
        result = await backend.call('GET', '/api/admin/tenants');
        break;
      case 'tenant-create':
        result = await backend.call('POST', '/api/admin/tenants', { id: required(flags, 'id'), name: required(flags, 'name'), guestsMayBrowse: !flags['no-guests'] });
        break;
      case 'members':
        result = await backend.call('GET', `/api/admin/tenants/${encodeURIComponent(required(flags, 'tenant'))}/members`);
        break;
      case 'user-create': {
        const role = flags.role ?? 'member';
        if (!(ROLES as readonly string[]).includes(role)) throw new CliError(`--role must be one of ${ROLES.join(', ')}`);
        result = await backend.call('POST', '/api/admin/users', { tenant: required(flags, 'tenant'), displayName: required(flags, 'name'), role, ...(flags.email ? { email: flags.email } : {}) });
        break;
      }
      case 'role': {
        const role = required(flags, 'role');
        if (role !== 'none' && !(ROLES as readonly string[]).includes(role)) throw new CliError(`--role must be one of ${ROLES.join(', ')} or none`);
        result = await backend.call('PUT', '/api/admin/memberships', { tenant: required(flags, 'tenant'), user: required(flags, 'user'), role: role === 'none' ? null : role });
        break;
      }
      case 'token': {
        const ttl = Number(flags.ttl ?? 3600);
        if (!Number.isInteger(ttl) || ttl < 30) throw new CliError('--ttl must be a whole number of seconds, at least 30');
        result = await backend.call('POST', '/api/admin/tokens', { tenant: required(flags, 'tenant'), user: required(flags, 'user'), ttlSeconds: ttl });
        break;
      }
      default:
        throw new CliError(`unknown command "${command}"\n\n${USAGE}`);
    }
    print(JSON.stringify({ via: backend.via, ...(result as object) }, null, 2));
  } finally {
    await backend.close();
  }
}

if (import.meta.main) {
  runCli(process.argv.slice(2), process.env, (line) => process.stdout.write(`${line}\n`)).catch((error: unknown) => {
    process.stderr.write(`plaza admin: ${error instanceof CliError || error instanceof TypeError ? error.message : ((error as Error).stack ?? String(error))}\n`);
    process.exit(error instanceof CliError || (error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? 2 : 1);
  });
}
