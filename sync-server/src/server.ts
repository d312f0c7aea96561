/**
 * The Plaza sync server: one process, one port, HTTP and WebSocket on the same listener.
 * `startServer` is what `main.ts` runs and what every integration test starts on port 0.
 */
import { readFileSync } from 'node:fs';
import { mkdirSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { getRequestListener } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import type { ServerConfig } from './config.ts';
import { sendError } from './http/errors.ts';
import { mountWebFlavour } from './http/web.ts';
import { createLogger, type Logger } from './log.ts';

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly logger: Logger;
  /** Stops accepting, drains, flushes, closes. Safe to call twice. */
  close(): Promise<void>;
}

export interface StartOptions {
  readonly logger?: Logger;
}

const HOST_HEADER = /^[A-Za-z0-9.\-[\]:]{1,260}$/;

export async function startServer(config: ServerConfig, options: StartOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config.logLevel);
  mkdirSync(config.dataDir, { recursive: true });
  const tls = config.tlsCert !== undefined;
  let ready = false;
  let closing = false;

  const app = new Hono();
  app.onError((error, c) => {
    logger.error({ err: error, path: c.req.path }, 'request failed');
    return sendError(c, 500, 'internal', 'Something went wrong on the server. It has been logged.');
  });
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', (c) =>
    ready && !closing ? c.json({ status: 'ready' }) : sendError(c, 503, 'unavailable', closing ? 'shutting down' : 'starting'),
  );

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
  ready = true;
  logger.info({ url, dataDir: config.dataDir, web: web.available }, 'plaza sync server listening');

  let closed: Promise<void> | null = null;
  const close = () => {
    closed ??= (async () => {
      closing = true;
      logger.info('shutting down');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.closeAllConnections();
          resolve();
        }, config.shutdownGraceMs);
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      });
      logger.info('stopped');
    })();
    return closed;
  };
  return { url, port, logger, close };
}
