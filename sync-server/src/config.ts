/**
 * Server configuration from environment variables and command-line flags (flags win), validated
 * with one strict zod schema. A bad value is reported with its source and the server exits
 * before binding anything.
 */
import { parseArgs } from 'node:util';
import path from 'node:path';
import { z } from 'zod';

const port = z.coerce.number({ error: 'must be a whole number from 0 to 65535' }).int().min(0, 'must be 0–65535').max(65535, 'must be 0–65535');
const positiveMs = z.coerce.number().int().min(1).max(7 * 24 * 3600 * 1000);
const boolean = z.union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1')]);

export const configSchema = z
  .strictObject({
    host: z.string().min(1).default('127.0.0.1'),
    port: port.default(8787),
    dataDir: z.string().min(1).default('.plaza-data'),
    webDir: z.string().min(1).optional(),
    tlsCert: z.string().min(1).optional(),
    tlsKey: z.string().min(1).optional(),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** How long SIGTERM waits for connections to drain before exiting anyway. */
    shutdownGraceMs: positiveMs.default(5000),
    /** Test-only crash windows: the server kills itself there (see DESIGN "Tests"). */
    fault: z.enum(['after-ingest', 'after-commit']).optional(),
    /** Extra origins (besides the server's own) allowed to call the HTTP API from a browser. */
    allowDevOrigins: boolean.default(false),
    /** Registers the tiny test referee (`test.*` intents); for tests and development. */
    testReferee: boolean.default(false),
    accessTokenTtlSeconds: z.coerce.number().int().min(30).max(86_400).default(900),
    /** An Ed25519 private JWK shared by every server process; default: a key in the data dir. */
    accessTokenKey: z.string().min(1).optional(),
    /** The operator credential; default: a random one in the data directory. */
    operatorKey: z.string().min(24).optional(),
    idleUnloadMs: positiveMs.default(30_000),
    compactEvery: z.coerce.number().int().min(1).max(1_000_000).default(500),
    maxMessageBytes: z.coerce.number().int().min(1024).max(64 * 1024 * 1024).default(2 * 1024 * 1024),
    messagesPerSecond: z.coerce.number().min(1).max(100_000).default(200),
    messageBurst: z.coerce.number().int().min(1).max(100_000).default(1000),
    maxConnectionsPerUser: z.coerce.number().int().min(1).max(10_000).default(64),
    maxConnectionsPerIp: z.coerce.number().int().min(1).max(100_000).default(512),
    heartbeatMs: positiveMs.default(15_000),
    silentTimeoutMs: positiveMs.default(30_000),
    membershipCacheMs: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
    /** Markets: how long after its first resolution a market may be corrected (0: never). */
    marketsCorrectionWindowMs: z.coerce.number().int().min(0).max(90 * 24 * 3600 * 1000).default(24 * 3600 * 1000),
    /** Markets: a trade intent older than this (e.g. placed offline long ago) is refused as expired. */
    marketsTradeTtlMs: positiveMs.default(24 * 3600 * 1000),
  })
  .refine((config) => (config.tlsCert === undefined) === (config.tlsKey === undefined), {
    message: 'TLS needs both a certificate and a key (PLAZA_TLS_CERT and PLAZA_TLS_KEY, or --tls-cert and --tls-key)',
    path: ['tlsCert'],
  });

export type ServerConfig = z.output<typeof configSchema>;
export type ServerConfigInput = z.input<typeof configSchema>;

const ENVIRONMENT: Record<string, keyof ServerConfigInput> = {
  PLAZA_HOST: 'host',
  PLAZA_PORT: 'port',
  PLAZA_DATA_DIR: 'dataDir',
  PLAZA_WEB_DIR: 'webDir',
  PLAZA_TLS_CERT: 'tlsCert',
  PLAZA_TLS_KEY: 'tlsKey',
  PLAZA_LOG_LEVEL: 'logLevel',
  PLAZA_SHUTDOWN_GRACE_MS: 'shutdownGraceMs',
  PLAZA_FAULT: 'fault',
  PLAZA_ALLOW_DEV_ORIGINS: 'allowDevOrigins',
  PLAZA_TEST_REFEREE: 'testReferee',
  PLAZA_ACCESS_TOKEN_TTL_SECONDS: 'accessTokenTtlSeconds',
  PLAZA_ACCESS_TOKEN_KEY: 'accessTokenKey',
  PLAZA_OPERATOR_KEY: 'operatorKey',
  PLAZA_IDLE_UNLOAD_MS: 'idleUnloadMs',
  PLAZA_COMPACT_EVERY: 'compactEvery',
  PLAZA_MAX_MESSAGE_BYTES: 'maxMessageBytes',
  PLAZA_MESSAGES_PER_SECOND: 'messagesPerSecond',
  PLAZA_MESSAGE_BURST: 'messageBurst',
  PLAZA_MAX_CONNECTIONS_PER_USER: 'maxConnectionsPerUser',
  PLAZA_MAX_CONNECTIONS_PER_IP: 'maxConnectionsPerIp',
  PLAZA_HEARTBEAT_MS: 'heartbeatMs',
  PLAZA_SILENT_TIMEOUT_MS: 'silentTimeoutMs',
  PLAZA_MEMBERSHIP_CACHE_MS: 'membershipCacheMs',
  PLAZA_MARKETS_CORRECTION_WINDOW_MS: 'marketsCorrectionWindowMs',
  PLAZA_MARKETS_TRADE_TTL_MS: 'marketsTradeTtlMs',
};

const FLAGS = {
  host: { type: 'string' },
  port: { type: 'string' },
  'data-dir': { type: 'string' },
  'web-dir': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'log-level': { type: 'string' },
  'shutdown-grace-ms': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export type ConfigResult = { readonly kind: 'config'; readonly config: ServerConfig } | { readonly kind: 'help'; readonly text: string };

export const HELP = `plaza sync server

Usage: npm run server -- [flags]

Flags (each also settable by the environment variable in brackets):
  --host <addr>              address to listen on            [PLAZA_HOST]       default 127.0.0.1
  --port <n>                 port, 0 picks a free one        [PLAZA_PORT]       default 8787
  --data-dir <path>          where the embedded store lives  [PLAZA_DATA_DIR]   default .plaza-data
  --web-dir <path>           built web flavour to serve      [PLAZA_WEB_DIR]    default out/web
  --tls-cert <path>          PEM certificate (with --tls-key) [PLAZA_TLS_CERT]
  --tls-key <path>           PEM private key                 [PLAZA_TLS_KEY]
  --log-level <level>        fatal|error|warn|info|debug     [PLAZA_LOG_LEVEL]  default info
  --shutdown-grace-ms <ms>   drain time on SIGTERM           [PLAZA_SHUTDOWN_GRACE_MS] default 5000

Environment only (see README "Configuration" for all of them):
  PLAZA_ACCESS_TOKEN_TTL_SECONDS (900), PLAZA_IDLE_UNLOAD_MS (30000), PLAZA_COMPACT_EVERY (500),
  PLAZA_MAX_MESSAGE_BYTES (2 MiB), PLAZA_MESSAGES_PER_SECOND (200), PLAZA_MESSAGE_BURST (1000),
  PLAZA_MAX_CONNECTIONS_PER_USER (64), PLAZA_MAX_CONNECTIONS_PER_IP (512), PLAZA_HEARTBEAT_MS (15000),
  PLAZA_SILENT_TIMEOUT_MS (30000), PLAZA_MEMBERSHIP_CACHE_MS (30000), PLAZA_ACCESS_TOKEN_KEY,
  PLAZA_OPERATOR_KEY, PLAZA_TEST_REFEREE, PLAZA_FAULT (tests only),
  PLAZA_MARKETS_CORRECTION_WINDOW_MS (86400000), PLAZA_MARKETS_TRADE_TTL_MS (86400000)
`;

function camel(flag: string): string {
  return flag.replace(/-([a-z])/g, (_match, letter: string) => letter.toUpperCase());
}

export function loadConfig(argv: readonly string[], environment: NodeJS.ProcessEnv): ConfigResult {
  let flags: Record<string, string | boolean | undefined>;
  try {
    flags = parseArgs({ args: [...argv], options: FLAGS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}\n\n${HELP}`);
  }
  if (flags.help) return { kind: 'help', text: HELP };
  const input: Record<string, unknown> = {};
  const source: Record<string, string> = {};
  for (const [variable, key] of Object.entries(ENVIRONMENT)) {
    const value = environment[variable];
    if (value !== undefined && value !== '') {
      input[key] = value;
      source[key] = variable;
    }
  }
  for (const [flag, value] of Object.entries(flags)) {
    if (flag === 'help' || value === undefined) continue;
    input[camel(flag)] = value;
    source[camel(flag)] = `--${flag}`;
  }
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? '');
      return `  ${source[key] ?? key}: ${issue.message}`;
    });
    throw new ConfigError(`invalid configuration:\n${problems.join('\n')}`);
  }
  const config = parsed.data;
  return {
    kind: 'config',
    config: { ...config, dataDir: path.resolve(config.dataDir), ...(config.webDir ? { webDir: path.resolve(config.webDir) } : {}) },
  };
}
