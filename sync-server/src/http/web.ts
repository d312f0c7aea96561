/**
 * Serves the web flavour (the renderer built as a plain web app) with the CSP computed from this
 * server's own origin, a fresh style nonce per page, and the SPA fallback for client routes.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Context, Hono } from 'hono';
import { buildContentSecurityPolicy } from '../../../shared/platform/csp.ts';

export const STYLE_NONCE_PLACEHOLDER = '__PLAZA_STYLE_NONCE__';

export interface WebFlavour {
  readonly available: boolean;
  readonly directory: string;
}

const RESERVED_PREFIXES = ['/api/', '/v1/', '/blobs/', '/sync/', '/healthz', '/readyz', '/metrics'];

export function mountWebFlavour(app: Hono, directory: string, publicOrigin: (c: Context) => string): WebFlavour {
  const indexFile = path.join(directory, 'index.html');
  if (!existsSync(indexFile)) return { available: false, directory };
  const template = readFileSync(indexFile, 'utf8');

  const page = (c: Context) => {
    const styleNonce = randomBytes(18).toString('base64');
    c.header('content-security-policy', buildContentSecurityPolicy({ serverOrigin: publicOrigin(c), styleNonce }));
    c.header('x-content-type-options', 'nosniff');
    c.header('referrer-policy', 'no-referrer');
    c.header('cache-control', 'no-cache');
    return c.html(template.replaceAll(STYLE_NONCE_PLACEHOLDER, styleNonce));
  };

  app.get('/sw.js', serveStatic({
    root: directory,
    onFound: (_path, c) => {
      c.header('cache-control', 'no-cache');
      c.header('service-worker-allowed', '/');
    },
  }));
  app.get('/assets/*', serveStatic({
    root: directory,
    onFound: (_path, c) => {
      c.header('cache-control', 'public, max-age=31536000, immutable');
      c.header('x-content-type-options', 'nosniff');
    },
  }));
  app.get('/', page);
  app.get('/index.html', page);
  app.get('*', async (c, next) => {
    const requestPath = c.req.path;
    if (RESERVED_PREFIXES.some((prefix) => requestPath.startsWith(prefix))) return next();
    if (path.extname(requestPath) === '') return page(c);
    return next();
  });
  app.get('*', serveStatic({ root: directory, onFound: (_path, c) => c.header('x-content-type-options', 'nosniff') }));
  return { available: true, directory };
}
