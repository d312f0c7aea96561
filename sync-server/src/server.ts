/**
 * The Plaza sync server: one process, one port, HTTP and WebSocket on the same listener.
 * `startServer` is what `main.ts` runs and what every integration test starts on port 0.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { getRequestListener } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { AccountService } from './auth/accounts.ts';
import { Directory } from './auth/directory.ts';
import { PasswordHasher } from './auth/passwords.ts';
import { ensureDefaultTenant } from './auth/provisioning.ts';
import { SessionService } from './auth/sessions.ts';
import { TenantAdmin } from './auth/tenant-admin.ts';
import { operatorSecretFile, TokenService } from './auth/tokens.ts';
import type { ServerConfig } from './config.ts';
import { isOperator, mountAdminApi } from './http/admin-api.ts';
import { mountAuthApi } from './http/auth-api.ts';
import { desktopCors, type AuthHttpDeps } from './http/auth-http.ts';
import { mountBlobs } from './http/blobs.ts';
import { MemoryRateLimiter, type RateLimiter } from './http/rate-limit.ts';
import { mountTenantApi } from './http/tenant-api.ts';
import { sendError } from './http/errors.ts';
import { mountLlmApi } from './http/llm-api.ts';
import { mountWebFlavour } from './http/web.ts';
import { IntentIngest } from './intents/ingest.ts';
import type { Referee } from './intents/referee.ts';
import { IntentRunner } from './intents/runner.ts';
import { LlmService } from './llm/service.ts';
import { createLogger, type Logger } from './log.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { productionReferees } from './referees/index.ts';
import { createTestReferee } from './referees/test-referee.ts';
import { parseRoomName } from '../../shared/sync/rooms.ts';
import { RoomManager } from './rooms/room-manager.ts';
import type { Cluster } from './cluster/cluster.ts';
import { newProcessId } from './cluster/identity.ts';
import { importBlobFiles } from './store/blob-files.ts';
import { SqliteStore } from './store/sqlite.ts';
import type { Store } from './store/types.ts';
import { SyncEndpoint } from './ws/sync-endpoint.ts';

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly logger: Logger;
  readonly store: Store;
  readonly tokens: TokenService;
  readonly directory: Directory;
  readonly rooms: RoomManager;
  readonly runner: IntentRunner;
  readonly endpoint: SyncEndpoint;
  readonly metrics: Metrics;
  readonly llm: LlmService;
  readonly operatorKey: string;
  /** This process's name (in a cluster, its lease holder id). */
  readonly processId: string;
  /** Cluster mode (PLAZA_REDIS_URL): the bus, leases and presence shared with other processes. */
  readonly cluster: Cluster | null;
  /** Accounts, sessions and tenant administration. */
  readonly auth: {
    readonly sessions: SessionService;
    readonly accounts: AccountService;
    readonly tenantAdmin: TenantAdmin;
    readonly limiter: RateLimiter;
  };
  /** Stops accepting, drains, flushes, closes. Safe to call twice. */
  close(): Promise<void>;
}

export interface StartOptions {
  readonly logger?: Logger;
  readonly now?: () => number;
  /** Extra referees (the shop, chess and markets register theirs here). */
  readonly referees?: readonly Referee[];
  /** For tests: what posts the LLM alert webhook. */
  readonly webhookFetch?: typeof fetch;
}

const HOST_HEADER = /^[A-Za-z0-9.\-[\]:]{1,260}$/;

function loadOperatorKey(dataDir: string, configured: string | undefined): string {
  if (configured) return configured;
  const file = operatorSecretFile(dataDir);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const key = `op_${randomBytes(32).toString('base64url')}`;
  writeFileSync(file, key, { mode: 0o600 });
  return key;
}

export const SERVER_INFO_FILE = 'server.json';

export async function startServer(config: ServerConfig, options: StartOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const now = options.now ?? Date.now;
  mkdirSync(config.dataDir, { recursive: true });
  const tls = config.tlsCert !== undefined;
  let ready = false;
  let closing = false;

  const processId = config.processId ?? newProcessId();
  // The Postgres and Redis clients load only when configured: the embedded default starts as before.
  const store: Store = config.databaseUrl
    ? await (await import('./store/postgres/postgres-store.ts')).PostgresStore.open({ url: config.databaseUrl, poolSize: config.databasePoolSize, processId })
    : SqliteStore.open(config.dataDir, 'plaza.db', { checkpointEveryMs: 1000 });
  let cluster: Cluster | null = null;
  try {
    // Images that the previous version kept as files in this data directory go into the store.
    const blobFiles = await importBlobFiles(config.dataDir, store.blobs, now());
    if (blobFiles.movedTo !== null) {
      logger.info({ imported: blobFiles.imported, present: blobFiles.present, movedTo: blobFiles.movedTo }, 'imported the blob files of the data directory into the store');
      for (const skipped of blobFiles.skipped) logger.warn({ file: path.join(blobFiles.movedTo, skipped.file), reason: skipped.reason }, 'a blob file was not imported (left in place)');
    }
    cluster = config.redisUrl
      ? await (await import('./cluster/cluster.ts')).Cluster.join({ redisUrl: config.redisUrl, prefix: config.redisPrefix, leaseTtlMs: config.leaseTtlMs, heartbeatMs: config.clusterHeartbeatMs, logger, processId })
      : null;
  } catch (error) {
    await store.close();
    throw error;
  }
  const tokens = await TokenService.fromDataDir(config.dataDir, config.accessTokenKey);
  const operatorKey = loadOperatorKey(config.dataDir, config.operatorKey);
  const directory = new Directory(store.directory, config.membershipCacheMs);
  cluster?.bridgeDirectory(directory);
  if (await ensureDefaultTenant(store.directory, now())) logger.info('first run: created the default tenant (guests welcome; the first account to register becomes its owner)');
  const sessions = new SessionService({
    store: store.auth,
    directory,
    tokens,
    settings: { accessTokenTtlSeconds: config.accessTokenTtlSeconds, refreshTokenTtlMs: config.refreshTokenTtlMs },
    now,
  });
  const hasher = new PasswordHasher({ N: config.passwordScryptN, r: config.passwordScryptR, p: config.passwordScryptP, keyLength: config.passwordKeyLength });
  const accounts = new AccountService({
    directory,
    store: store.auth,
    sessions,
    hasher,
    settings: { guestIdleExpiryMs: config.guestIdleExpiryMs, accessTokenTtlSeconds: config.accessTokenTtlSeconds },
    now,
  });
  const tenantAdmin = new TenantAdmin({
    directory,
    store: store.auth,
    sessions,
    settings: { inviteTtlMs: config.inviteTtlMs, inviteMaxUses: config.inviteMaxUses, resetTokenTtlMs: config.resetTokenTtlMs },
    now,
  });
  const limiter: RateLimiter = cluster ? cluster.limiter : new MemoryRateLimiter();
  const metrics = createMetrics();
  const rooms = new RoomManager({
    store,
    logger,
    metrics,
    idleUnloadMs: config.idleUnloadMs,
    compactEvery: config.compactEvery,
    ...(cluster ? { fanout: cluster.fanout, gapGraceMs: config.gapGraceMs, resyncEveryMs: config.resyncEveryMs } : {}),
  });
  const runner = new IntentRunner({
    store,
    rooms,
    directory,
    logger,
    metrics,
    now,
    aliveEveryMs: 5000,
    ...(config.fault ? { fault: config.fault } : {}),
    ...(cluster ? { coordinator: cluster.coordinator, sweepEveryMs: config.queueSweepMs } : {}),
  });
  const referees = [...productionReferees({ config, store, directory, logger, now }), ...(config.testReferee ? [createTestReferee()] : []), ...(options.referees ?? [])];
  for (const referee of referees) runner.register(referee);
  rooms.hooks = new IntentIngest(runner, logger, metrics, now, config.fault);
  const endpoint = new SyncEndpoint(
    {
      maxMessageBytes: config.maxMessageBytes,
      messagesPerSecond: config.messagesPerSecond,
      messageBurst: config.messageBurst,
      maxQueuedWhileLoading: 256,
      maxBufferedBytes: 16 * 1024 * 1024,
      maxConnectionsPerUser: config.maxConnectionsPerUser,
      maxConnectionsPerIp: config.maxConnectionsPerIp,
      heartbeatMs: config.heartbeatMs,
      silentTimeoutMs: config.silentTimeoutMs,
    },
    {
      rooms,
      tokens,
      directory,
      metrics,
      logger,
      now,
      accessFacts: async (room, principal) => {
        for (const referee of referees) {
          const facts = await referee.accessFacts?.(room, principal);
          if (facts) return facts;
        }
        return {};
      },
      acceptsClaims: (claims) => sessions.accepts(claims),
      onPresence: (event) => {
        cluster?.presence.localChanged(event.tenant, event.roomName, event.user, event.connected);
        const room = parseRoomName(event.roomName);
        if (room.ok) runner.presenceChanged({ ...event, room: room.value, at: now() });
      },
      ...(cluster ? { usersElsewhere: (roomName: string) => cluster.presence.remoteUsersIn(roomName) } : {}),
    },
  );
  const localPresence = { rttOf: (tenant: string, user: string) => endpoint.rttOf(tenant, user), isConnected: (room: string, user: string) => endpoint.isConnected(room, user) };
  if (cluster) {
    cluster.presence.attach(localPresence);
    cluster.presence.onRemoteRoomChanged((roomName) => endpoint.peersElsewhereChanged(roomName));
  }
  runner.presence = cluster ? cluster.presence : localPresence;
  await runner.start();
  const llm = await LlmService.start({
    config,
    store: store.llm,
    runner,
    logger,
    metrics,
    now,
    ...(options.webhookFetch ? { webhookFetch: options.webhookFetch } : {}),
    ...(cluster ? { liveOwners: () => cluster.liveProcesses() } : {}),
  });
  let recoverTimer: ReturnType<typeof setInterval> | null = null;
  if (cluster) {
    const joined = cluster;
    llm.announceKillSwitch = joined.bridgeKillSwitches((request, setBy) => void llm.applyKillSwitch(request, setBy).catch((error: unknown) => logger.error({ err: error }, 'applying a kill switch failed')));
    // A dead process's open calls hold budget until settled: settle them from any live process.
    recoverTimer = setInterval(() => {
      void joined
        .liveProcesses()
        .then((live) => llm.recover(live))
        .catch((error: unknown) => logger.warn({ err: error }, 'recovering dead processes\' llm calls failed'));
    }, config.llmRecoverEveryMs);
    recoverTimer.unref();
  }

  const app = new Hono();
  app.onError((error, c) => {
    logger.error({ err: error, path: c.req.path }, 'request failed');
    return sendError(c, 500, 'internal', 'Something went wrong on the server. It has been logged.');
  });
  // The desktop renderer (app://plaza) calls every API cross-origin; the web flavour is same-origin.
  app.use('*', desktopCors({ allowDevOrigins: config.allowDevOrigins }));
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    if (!ready || closing) return sendError(c, 503, 'unavailable', closing ? 'shutting down' : 'starting');
    try {
      await store.ping();
    } catch {
      return sendError(c, 503, 'unavailable', 'the store does not answer');
    }
    if (cluster) {
      try {
        await cluster.ping();
      } catch {
        return sendError(c, 503, 'unavailable', 'redis does not answer');
      }
    }
    return c.json({ status: 'ready', store: store.kind, redis: cluster ? 'ok' : 'none', process: processId });
  });
  app.get('/metrics', async (c) => {
    const local = ['127.0.0.1', '::1', '::ffff:127.0.0.1'].includes((c.env as { incoming?: http.IncomingMessage }).incoming?.socket.remoteAddress ?? '');
    if (!local && !isOperator(c.req.header('authorization'), operatorKey)) return sendError(c, 401, 'unauthorized', 'metrics need the operator credential off this machine');
    metrics.intentsPending.set(await store.intents.countPending());
    await llm.refreshLedgerGauges();
    return c.text(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType });
  });
  mountAdminApi(app, { directory, tokens, operatorKey, now, sessions, tenantAdmin });
  mountLlmApi(app, { service: llm, tokens, directory, acceptsClaims: (claims) => sessions.accepts(claims), operatorKey, now });
  const authDeps: AuthHttpDeps = {
    store,
    directory,
    tokens,
    sessions,
    accounts,
    tenantAdmin,
    limiter,
    rules: {
      guest: { limit: config.guestRateLimit, windowMs: config.guestRateWindowMs },
      register: { limit: config.registerRateLimit, windowMs: config.registerRateWindowMs },
      registerAccount: { limit: config.registerAccountRateLimit, windowMs: config.registerAccountRateWindowMs },
      refreshIp: { limit: config.refreshIpRateLimit, windowMs: config.refreshIpRateWindowMs },
      loginIp: { limit: config.loginIpRateLimit, windowMs: config.loginIpRateWindowMs },
      loginAccount: { limit: config.loginAccountRateLimit, windowMs: config.loginAccountRateWindowMs },
    },
    secureCookies: tls,
    chessDisconnectGraceMs: config.chessDisconnectGraceMs,
    allowDevOrigins: config.allowDevOrigins,
    logger,
    now,
  };
  mountAuthApi(app, authDeps);
  mountTenantApi(app, authDeps);
  mountBlobs(app, { blobs: store.blobs, tokens, directory, logger, now });

  const publicOrigin = (c: Context) => {
    const host = c.req.header('host') ?? '';
    return `${tls ? 'https' : 'http'}://${HOST_HEADER.test(host) ? host : `${config.host}:${config.port}`}`;
  };
  const webDir = config.webDir ?? path.resolve('out/web');
  const web = mountWebFlavour(app, webDir, publicOrigin);
  if (!web.available) logger.warn({ webDir }, 'no built web flavour found; run `npm run build:web` to serve the app in browsers');
  app.notFound((c) => sendError(c, 404, 'not_found', `nothing at ${c.req.path}`));

  const listener = getRequestListener(app.fetch);
  const server = tls
    ? https.createServer({ cert: readFileSync(config.tlsCert as string), key: readFileSync(config.tlsKey as string) }, listener)
    : http.createServer(listener);
  // A bounded pre-auth window: a client gets this long to send its request headers.
  server.headersTimeout = 10_000;
  server.requestTimeout = 60_000;
  server.keepAliveTimeout = 5_000;
  server.on('upgrade', (request, socket, head) => endpoint.handleUpgrade(request, socket, head));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `${tls ? 'https' : 'http'}://${hostForUrl}:${port}`;
  const infoFile = path.join(config.dataDir, SERVER_INFO_FILE);
  writeFileSync(infoFile, JSON.stringify({ url, pid: process.pid, startedAt: now() }), { mode: 0o600 });
  // Idle guests, expired refresh tokens, invites and reset links: swept on a timer (and once now).
  let sweeping: Promise<void> | null = null;
  const sweep = () => {
    sweeping ??= accounts
      .sweep()
      .then(
        (swept) => {
          if (swept.guests > 0 || swept.purged > 0) logger.info(swept, 'auth sweep: idle guests deleted, expired tokens purged');
        },
        (error: unknown) => logger.error({ err: error }, 'auth sweep failed'),
      )
      .finally(() => {
        sweeping = null;
      });
    return sweeping;
  };
  const sweepTimer = setInterval(() => void sweep(), config.authSweepEveryMs);
  sweepTimer.unref();
  void sweep();

  ready = true;
  logger.info({ url, dataDir: config.dataDir, web: web.available, store: store.kind, cluster: cluster !== null, process: processId }, 'plaza sync server listening');

  let closed: Promise<void> | null = null;
  const close = () => {
    closed ??= (async () => {
      closing = true;
      logger.info('shutting down');
      clearInterval(sweepTimer);
      if (recoverTimer) clearInterval(recoverTimer);
      endpoint.close();
      const httpClosed = new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.closeAllConnections();
          resolve();
        }, config.shutdownGraceMs);
        timer.unref();
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      });
      await llm.close();
      // Hands this process's queue leases over (the others sweep at once), then flushes rooms.
      await runner.stop();
      await rooms.shutdown();
      await httpClosed;
      await sweeping;
      await cluster?.close();
      await store.close();
      rmSync(infoFile, { force: true });
      logger.info('stopped');
    })();
    return closed;
  };
  return {
    url,
    port,
    dataDir: config.dataDir,
    logger,
    store,
    tokens,
    directory,
    rooms,
    runner,
    endpoint,
    metrics,
    llm,
    operatorKey,
    processId,
    cluster,
    auth: { sessions, accounts, tenantAdmin, limiter },
    close,
  };
}
