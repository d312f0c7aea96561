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
import { Directory } from './auth/directory.ts';
import { ensureDefaultTenant } from './auth/provisioning.ts';
import { operatorSecretFile, TokenService } from './auth/tokens.ts';
import type { ServerConfig } from './config.ts';
import { isOperator, mountAdminApi } from './http/admin-api.ts';
import { mountBlobs } from './http/blobs.ts';
import { desktopCors } from './http/cors.ts';
import { sendError } from './http/errors.ts';
import { mountWebFlavour } from './http/web.ts';
import { IntentIngest } from './intents/ingest.ts';
import type { Referee } from './intents/referee.ts';
import { IntentRunner } from './intents/runner.ts';
import { createLogger, type Logger } from './log.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { productionReferees } from './referees/index.ts';
import { createTestReferee } from './referees/test-referee.ts';
import { parseRoomName } from '../../shared/sync/rooms.ts';
import { RoomManager } from './rooms/room-manager.ts';
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
  readonly operatorKey: string;
  /** Stops accepting, drains, flushes, closes. Safe to call twice. */
  close(): Promise<void>;
}

export interface StartOptions {
  readonly logger?: Logger;
  readonly now?: () => number;
  /** Extra referees (the shop, chess and markets register theirs here). */
  readonly referees?: readonly Referee[];
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

  const store = SqliteStore.open(config.dataDir, 'plaza.db', { checkpointEveryMs: 1000 });
  const tokens = await TokenService.fromDataDir(config.dataDir, config.accessTokenKey);
  const operatorKey = loadOperatorKey(config.dataDir, config.operatorKey);
  const directory = new Directory(store.directory, config.membershipCacheMs);
  if (await ensureDefaultTenant(store.directory, now())) logger.info('first run: created the default tenant (guests welcome; the first account to register becomes its owner)');
  const metrics = createMetrics();
  const rooms = new RoomManager({ store, logger, metrics, idleUnloadMs: config.idleUnloadMs, compactEvery: config.compactEvery });
  const runner = new IntentRunner({ store, rooms, directory, logger, metrics, now, aliveEveryMs: 5000, ...(config.fault ? { fault: config.fault } : {}) });
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
      onPresence: (event) => {
        const room = parseRoomName(event.roomName);
        if (room.ok) runner.presenceChanged({ ...event, room: room.value, at: now() });
      },
    },
  );
  runner.presence = { rttOf: (tenant, user) => endpoint.rttOf(tenant, user), isConnected: (room, user) => endpoint.isConnected(room, user) };
  await runner.start();

  const app = new Hono();
  app.onError((error, c) => {
    logger.error({ err: error, path: c.req.path }, 'request failed');
    return sendError(c, 500, 'internal', 'Something went wrong on the server. It has been logged.');
  });
  app.use('*', desktopCors());
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    if (!ready || closing) return sendError(c, 503, 'unavailable', closing ? 'shutting down' : 'starting');
    try {
      await store.ping();
    } catch {
      return sendError(c, 503, 'unavailable', 'the store does not answer');
    }
    return c.json({ status: 'ready', store: store.kind });
  });
  app.get('/metrics', async (c) => {
    const local = ['127.0.0.1', '::1', '::ffff:127.0.0.1'].includes((c.env as { incoming?: http.IncomingMessage }).incoming?.socket.remoteAddress ?? '');
    if (!local && !isOperator(c.req.header('authorization'), operatorKey)) return sendError(c, 401, 'unauthorized', 'metrics need the operator credential off this machine');
    metrics.intentsPending.set(await store.intents.countPending());
    return c.text(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType });
  });
  mountAdminApi(app, { directory, tokens, operatorKey, now });
  mountBlobs(app, { dataDir: config.dataDir, tokens, directory, logger, now });

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
  ready = true;
  logger.info({ url, dataDir: config.dataDir, web: web.available, store: store.kind }, 'plaza sync server listening');

  let closed: Promise<void> | null = null;
  const close = () => {
    closed ??= (async () => {
      closing = true;
      logger.info('shutting down');
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
      await runner.stop();
      await rooms.shutdown();
      await httpClosed;
      await store.close();
      rmSync(infoFile, { force: true });
      logger.info('stopped');
    })();
    return closed;
  };
  return { url, port, dataDir: config.dataDir, logger, store, tokens, directory, rooms, runner, endpoint, metrics, operatorKey, close };
}
