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
const microUsd = z.coerce.number().int().min(0).max(1_000_000_000_000);
const httpUrl = z.string().max(2048).refine((value) => {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}, 'must be an http(s) URL');
const longMs = z.coerce.number().int().min(1).max(366 * 24 * 3600 * 1000);
const count = z.coerce.number().int().min(1).max(1_000_000);
const postgresUrl = z.string().max(4096).refine((value) => /^postgres(ql)?:\/\//.test(value), 'must be a postgres:// (or postgresql://) URL');
const redisUrl = z.string().max(4096).refine((value) => /^rediss?:\/\//.test(value), 'must be a redis:// (or rediss://) URL');
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
    /** Postgres instead of the embedded SQLite store (required for several processes). */
    databaseUrl: postgresUrl.optional(),
    /** Connections per process in the Postgres pool. */
    databasePoolSize: z.coerce.number().int().min(1).max(500).default(10),
    /** Redis for fan-out, leases and shared rate limits between several server processes. */
    redisUrl: redisUrl.optional(),
    /** Prefix of every Redis key and channel (several Plaza clusters can share one Redis). */
    redisPrefix: z.string().min(1).max(64).regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only').default('plaza:'),
    /** This process's name in the cluster (default: host-pid-random). */
    processId: z.string().min(1).max(100).regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits and _ . - only').optional(),
    /** How long a lease (a queue's deciding, a room's compaction) outlives its holder's last renewal. */
    leaseTtlMs: z.coerce.number().int().min(300).max(300_000).default(5_000),
    /** How often a process says it is alive and publishes its presence snapshot. */
    clusterHeartbeatMs: z.coerce.number().int().min(100).max(60_000).default(2_000),
    /** How often a process looks for queues with work and no holder (takeover after a crash). */
    queueSweepMs: z.coerce.number().int().min(50).max(60_000).default(1_000),
    /** How long a gap in a room's sequence numbers waits for the bus before reading the store. */
    gapGraceMs: z.coerce.number().int().min(1).max(60_000).default(250),
    /** How often loaded rooms are compared with the store (heals a message lost on the bus). */
    resyncEveryMs: z.coerce.number().int().min(100).max(3_600_000).default(5_000),
    /** How often open LLM calls of dead processes are settled (cluster mode). */
    llmRecoverEveryMs: z.coerce.number().int().min(100).max(3_600_000).default(10_000),
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
    // The AI proxy (see sync-server/src/llm/README.md). The upstream key lives here only and is never logged.
    /** The OpenAI-compatible upstream, e.g. https://api.openai.com/v1. */
    llmUpstreamUrl: httpUrl.default('https://api.openai.com/v1'),
    /** The upstream API key; without it the proxy answers 503. */
    llmApiKey: z.string().min(1).max(1000).optional(),
    /** Until the upstream's response headers. */
    llmTimeoutMs: positiveMs.default(60_000),
    /** Longest silence between two stream chunks before the call is cut (settled at its reservation). */
    llmIdleTimeoutMs: positiveMs.default(60_000),
    /** Longest a call may run in all. */
    llmMaxCallMs: positiveMs.default(600_000),
    /** A JSON price table (shared/domain/llm/prices.ts); default: the prices Plaza ships with. */
    llmPricesFile: z.string().min(1).optional(),
    /** Default budgets (and, until the operator changes them, the ceiling for tenant admins). */
    llmSessionMicroUsd: microUsd.default(500_000),
    llmUserDailyMicroUsd: microUsd.default(2_000_000),
    llmTenantDailyMicroUsd: microUsd.default(20_000_000),
    llmTenantMonthlyMicroUsd: microUsd.default(200_000_000),
    /** 0: no global daily cap. */
    llmGlobalDailyMicroUsd: microUsd.default(100_000_000),
    llmIdleMs: z.coerce.number().int().min(1_000).max(7 * 24 * 3_600_000).default(15 * 60_000),
    llmMaxCallsPerMinute: z.coerce.number().int().min(1).max(10_000).default(10),
    llmMaxCallsPerInput: z.coerce.number().int().min(1).max(10_000).default(8),
    llmLoopThreshold: z.coerce.number().int().min(2).max(1_000).default(5),
    llmMaxSessionMs: z.coerce.number().int().min(60_000).max(365 * 24 * 3_600_000).default(12 * 3_600_000),
    llmMaxSessionSpendMicroUsd: microUsd.default(2_000_000),
    /** The answer limit of a request that sets none (sizes its reservation). */
    llmDefaultMaxTokens: z.coerce.number().int().min(1).max(10_000_000).default(4_096),
    llmMinAnswerTokens: z.coerce.number().int().min(1).max(100_000).default(64),
    /** Streams the proxy keeps reading after their client left, to settle them exactly. */
    llmMaxConcurrentDrains: z.coerce.number().int().min(0).max(10_000).default(16),
    /** Largest request body accepted by /v1/chat/completions. */
    llmMaxBodyBytes: z.coerce.number().int().min(1024).max(64 * 1024 * 1024).default(4 * 1024 * 1024),
    /** Best-effort POST of every alert (JSON); never delays a call. */
    llmAlertWebhookUrl: httpUrl.optional(),
    /** scrypt cost (a power of two), block size, parallelism and key length for password hashes. */
    passwordScryptN: z.coerce
      .number()
      .int()
      .min(1024)
      .max(2 ** 20)
      .refine((value) => (value & (value - 1)) === 0, 'must be a power of two')
      .default(2 ** 15),
    passwordScryptR: z.coerce.number().int().min(1).max(32).default(8),
    passwordScryptP: z.coerce.number().int().min(1).max(16).default(1),
    passwordKeyLength: z.coerce.number().int().min(16).max(128).default(32),
    refreshTokenTtlMs: longMs.default(30 * 24 * 3600 * 1000),
    inviteTtlMs: longMs.default(7 * 24 * 3600 * 1000),
    inviteMaxUses: count.default(25),
    resetTokenTtlMs: longMs.default(3600 * 1000),
    /** Guests not seen for this long are deleted (and their logins revoked). */
    guestIdleExpiryMs: longMs.default(30 * 24 * 3600 * 1000),
    /** How often idle guests, expired refresh tokens, invites and reset links are swept. */
    authSweepEveryMs: positiveMs.default(10 * 60 * 1000),
    guestRateLimit: count.default(10),
    guestRateWindowMs: positiveMs.default(60_000),
    registerRateLimit: count.default(20),
    registerRateWindowMs: positiveMs.default(10 * 60_000),
    /** Registrations tried per email address (taken or not) per window. */
    registerAccountRateLimit: count.default(5),
    registerAccountRateWindowMs: positiveMs.default(10 * 60_000),
    /** Refreshes per address per window (every device refreshes about every quarter hour). */
    refreshIpRateLimit: count.default(120),
    refreshIpRateWindowMs: positiveMs.default(60_000),
    loginIpRateLimit: count.default(30),
    loginIpRateWindowMs: positiveMs.default(60_000),
    /** Failed password checks per account (by email) before it is locked for the window. */
    loginAccountRateLimit: count.default(10),
    loginAccountRateWindowMs: positiveMs.default(15 * 60_000),
    /** Chess: how long a player may stay away from a live game's room before forfeiting (on their turn). */
    chessDisconnectGraceMs: positiveMs.default(30_000),
    /** Chess: time each side has for its first move before the game is aborted. */
    chessFirstMoveTimeoutMs: positiveMs.default(20_000),
    /** Chess: the longest lifetime (expiresAt − createdAt) accepted on a move intent. */
    chessMoveTtlMs: positiveMs.default(60_000),
    /** Chess: how long a seek outlives its creator's last connection to the lobby (checked again after as long). */
    chessSeekGraceMs: positiveMs.default(15_000),
    /** Chess chat: messages per user per window, in each game. */
    chessChatLimit: z.coerce.number().int().min(1).max(1000).default(5),
    chessChatWindowMs: positiveMs.default(10_000),
    /** Chess time controls: the shortest initial time and the steps of initial time and increment. */
    chessMinInitialMs: positiveMs.default(30_000),
    chessInitialStepMs: positiveMs.default(15_000),
    chessIncrementStepMs: positiveMs.default(1_000),
    /** Markets: how long after its first resolution a market may be corrected (0: never). */
    marketsCorrectionWindowMs: z.coerce.number().int().min(0).max(90 * 24 * 3600 * 1000).default(24 * 3600 * 1000),
    /** Markets: a trade intent older than this (e.g. placed offline long ago) is refused as expired. */
    marketsTradeTtlMs: positiveMs.default(24 * 3600 * 1000),
  })
  .refine((config) => config.redisUrl === undefined || config.databaseUrl !== undefined, {
    message: 'several processes need a shared store: set PLAZA_DATABASE_URL (Postgres) with PLAZA_REDIS_URL',
    path: ['redisUrl'],
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
  PLAZA_DATABASE_URL: 'databaseUrl',
  PLAZA_DATABASE_POOL_SIZE: 'databasePoolSize',
  PLAZA_REDIS_URL: 'redisUrl',
  PLAZA_REDIS_PREFIX: 'redisPrefix',
  PLAZA_PROCESS_ID: 'processId',
  PLAZA_LEASE_TTL_MS: 'leaseTtlMs',
  PLAZA_CLUSTER_HEARTBEAT_MS: 'clusterHeartbeatMs',
  PLAZA_QUEUE_SWEEP_MS: 'queueSweepMs',
  PLAZA_GAP_GRACE_MS: 'gapGraceMs',
  PLAZA_RESYNC_EVERY_MS: 'resyncEveryMs',
  PLAZA_LLM_RECOVER_EVERY_MS: 'llmRecoverEveryMs',
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
  PLAZA_LLM_UPSTREAM_URL: 'llmUpstreamUrl',
  PLAZA_LLM_API_KEY: 'llmApiKey',
  PLAZA_LLM_TIMEOUT_MS: 'llmTimeoutMs',
  PLAZA_LLM_IDLE_TIMEOUT_MS: 'llmIdleTimeoutMs',
  PLAZA_LLM_MAX_CALL_MS: 'llmMaxCallMs',
  PLAZA_LLM_PRICES_FILE: 'llmPricesFile',
  PLAZA_LLM_SESSION_MICRO_USD: 'llmSessionMicroUsd',
  PLAZA_LLM_USER_DAILY_MICRO_USD: 'llmUserDailyMicroUsd',
  PLAZA_LLM_TENANT_DAILY_MICRO_USD: 'llmTenantDailyMicroUsd',
  PLAZA_LLM_TENANT_MONTHLY_MICRO_USD: 'llmTenantMonthlyMicroUsd',
  PLAZA_LLM_GLOBAL_DAILY_MICRO_USD: 'llmGlobalDailyMicroUsd',
  PLAZA_LLM_IDLE_MS: 'llmIdleMs',
  PLAZA_LLM_MAX_CALLS_PER_MINUTE: 'llmMaxCallsPerMinute',
  PLAZA_LLM_MAX_CALLS_PER_INPUT: 'llmMaxCallsPerInput',
  PLAZA_LLM_LOOP_THRESHOLD: 'llmLoopThreshold',
  PLAZA_LLM_MAX_SESSION_MS: 'llmMaxSessionMs',
  PLAZA_LLM_MAX_SESSION_SPEND_MICRO_USD: 'llmMaxSessionSpendMicroUsd',
  PLAZA_LLM_DEFAULT_MAX_TOKENS: 'llmDefaultMaxTokens',
  PLAZA_LLM_MIN_ANSWER_TOKENS: 'llmMinAnswerTokens',
  PLAZA_LLM_MAX_CONCURRENT_DRAINS: 'llmMaxConcurrentDrains',
  PLAZA_LLM_MAX_BODY_BYTES: 'llmMaxBodyBytes',
  PLAZA_LLM_ALERT_WEBHOOK_URL: 'llmAlertWebhookUrl',
  PLAZA_PASSWORD_SCRYPT_N: 'passwordScryptN',
  PLAZA_PASSWORD_SCRYPT_R: 'passwordScryptR',
  PLAZA_PASSWORD_SCRYPT_P: 'passwordScryptP',
  PLAZA_PASSWORD_KEY_LENGTH: 'passwordKeyLength',
  PLAZA_REFRESH_TOKEN_TTL_MS: 'refreshTokenTtlMs',
  PLAZA_INVITE_TTL_MS: 'inviteTtlMs',
  PLAZA_INVITE_MAX_USES: 'inviteMaxUses',
  PLAZA_RESET_TOKEN_TTL_MS: 'resetTokenTtlMs',
  PLAZA_GUEST_IDLE_EXPIRY_MS: 'guestIdleExpiryMs',
  PLAZA_AUTH_SWEEP_EVERY_MS: 'authSweepEveryMs',
  PLAZA_GUEST_RATE_LIMIT: 'guestRateLimit',
  PLAZA_GUEST_RATE_WINDOW_MS: 'guestRateWindowMs',
  PLAZA_REGISTER_RATE_LIMIT: 'registerRateLimit',
  PLAZA_REGISTER_RATE_WINDOW_MS: 'registerRateWindowMs',
  PLAZA_REGISTER_ACCOUNT_RATE_LIMIT: 'registerAccountRateLimit',
  PLAZA_REGISTER_ACCOUNT_RATE_WINDOW_MS: 'registerAccountRateWindowMs',
  PLAZA_REFRESH_IP_RATE_LIMIT: 'refreshIpRateLimit',
  PLAZA_REFRESH_IP_RATE_WINDOW_MS: 'refreshIpRateWindowMs',
  PLAZA_LOGIN_IP_RATE_LIMIT: 'loginIpRateLimit',
  PLAZA_LOGIN_IP_RATE_WINDOW_MS: 'loginIpRateWindowMs',
  PLAZA_LOGIN_ACCOUNT_RATE_LIMIT: 'loginAccountRateLimit',
  PLAZA_LOGIN_ACCOUNT_RATE_WINDOW_MS: 'loginAccountRateWindowMs',
  PLAZA_CHESS_DISCONNECT_GRACE_MS: 'chessDisconnectGraceMs',
  PLAZA_CHESS_FIRST_MOVE_TIMEOUT_MS: 'chessFirstMoveTimeoutMs',
  PLAZA_CHESS_MOVE_TTL_MS: 'chessMoveTtlMs',
  PLAZA_CHESS_SEEK_GRACE_MS: 'chessSeekGraceMs',
  PLAZA_CHESS_CHAT_LIMIT: 'chessChatLimit',
  PLAZA_CHESS_CHAT_WINDOW_MS: 'chessChatWindowMs',
  PLAZA_CHESS_MIN_INITIAL_MS: 'chessMinInitialMs',
  PLAZA_CHESS_INITIAL_STEP_MS: 'chessInitialStepMs',
  PLAZA_CHESS_INCREMENT_STEP_MS: 'chessIncrementStepMs',
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
  PLAZA_OPERATOR_KEY, PLAZA_TEST_REFEREE, PLAZA_FAULT (tests only)

Several processes (environment only; see README "Running several servers"):
  PLAZA_DATABASE_URL (postgres://…; default: embedded SQLite), PLAZA_DATABASE_POOL_SIZE (10),
  PLAZA_REDIS_URL (redis://…; needs PLAZA_DATABASE_URL), PLAZA_REDIS_PREFIX (plaza:), PLAZA_PROCESS_ID,
  PLAZA_LEASE_TTL_MS (5000), PLAZA_CLUSTER_HEARTBEAT_MS (2000), PLAZA_QUEUE_SWEEP_MS (1000),
  PLAZA_GAP_GRACE_MS (250), PLAZA_RESYNC_EVERY_MS (5000), PLAZA_LLM_RECOVER_EVERY_MS (10000);
  every process needs the same PLAZA_ACCESS_TOKEN_KEY and PLAZA_OPERATOR_KEY

AI proxy (environment only; amounts in micro-dollars, $1 = 1000000):
  PLAZA_LLM_UPSTREAM_URL (https://api.openai.com/v1), PLAZA_LLM_API_KEY (never logged),
  PLAZA_LLM_TIMEOUT_MS (60000), PLAZA_LLM_IDLE_TIMEOUT_MS (60000), PLAZA_LLM_MAX_CALL_MS (600000),
  PLAZA_LLM_PRICES_FILE, PLAZA_LLM_SESSION_MICRO_USD (500000), PLAZA_LLM_USER_DAILY_MICRO_USD (2000000),
  PLAZA_LLM_TENANT_DAILY_MICRO_USD (20000000), PLAZA_LLM_TENANT_MONTHLY_MICRO_USD (200000000),
  PLAZA_LLM_GLOBAL_DAILY_MICRO_USD (100000000; 0 = none), PLAZA_LLM_IDLE_MS (900000),
  PLAZA_LLM_MAX_CALLS_PER_MINUTE (10), PLAZA_LLM_MAX_CALLS_PER_INPUT (8), PLAZA_LLM_LOOP_THRESHOLD (5),
  PLAZA_LLM_MAX_SESSION_MS (43200000), PLAZA_LLM_MAX_SESSION_SPEND_MICRO_USD (2000000),
  PLAZA_LLM_DEFAULT_MAX_TOKENS (4096), PLAZA_LLM_MIN_ANSWER_TOKENS (64),
  PLAZA_LLM_MAX_CONCURRENT_DRAINS (16), PLAZA_LLM_MAX_BODY_BYTES (4 MiB), PLAZA_LLM_ALERT_WEBHOOK_URL
Accounts and sessions:
  PLAZA_PASSWORD_SCRYPT_N (32768), PLAZA_PASSWORD_SCRYPT_R (8), PLAZA_PASSWORD_SCRYPT_P (1),
  PLAZA_PASSWORD_KEY_LENGTH (32), PLAZA_REFRESH_TOKEN_TTL_MS (30 days), PLAZA_INVITE_TTL_MS (7 days),
  PLAZA_INVITE_MAX_USES (25), PLAZA_RESET_TOKEN_TTL_MS (1 hour), PLAZA_GUEST_IDLE_EXPIRY_MS (30 days),
  PLAZA_AUTH_SWEEP_EVERY_MS (10 min), PLAZA_GUEST_RATE_LIMIT (10) per PLAZA_GUEST_RATE_WINDOW_MS (1 min),
  PLAZA_REGISTER_RATE_LIMIT (20) per PLAZA_REGISTER_RATE_WINDOW_MS (10 min), PLAZA_REGISTER_ACCOUNT_RATE_LIMIT
  (5 per email) per PLAZA_REGISTER_ACCOUNT_RATE_WINDOW_MS (10 min), PLAZA_LOGIN_IP_RATE_LIMIT (30)
  per PLAZA_LOGIN_IP_RATE_WINDOW_MS (1 min), PLAZA_LOGIN_ACCOUNT_RATE_LIMIT (10 failures) per
  PLAZA_LOGIN_ACCOUNT_RATE_WINDOW_MS (15 min), PLAZA_REFRESH_IP_RATE_LIMIT (120) per
  PLAZA_REFRESH_IP_RATE_WINDOW_MS (1 min)

Chess:
  PLAZA_CHESS_DISCONNECT_GRACE_MS (30000), PLAZA_CHESS_FIRST_MOVE_TIMEOUT_MS (20000),
  PLAZA_CHESS_MOVE_TTL_MS (60000), PLAZA_CHESS_SEEK_GRACE_MS (15000), PLAZA_CHESS_CHAT_LIMIT (5),
  PLAZA_CHESS_CHAT_WINDOW_MS (10000), PLAZA_CHESS_MIN_INITIAL_MS (30000),
  PLAZA_CHESS_INITIAL_STEP_MS (15000), PLAZA_CHESS_INCREMENT_STEP_MS (1000)

Markets:
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
