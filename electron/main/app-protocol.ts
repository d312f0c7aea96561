/**
 * The `app://` protocol: the only way the UI is loaded (never `file://`). Serves files from the
 * built renderer folder, refuses anything that resolves outside it, and sends the CSP with every
 * HTML page, with a fresh nonce for the component library's one `<style>` tag.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { buildContentSecurityPolicy } from '../../shared/platform/csp.ts';

export const APP_SCHEME = 'app';
export const APP_HOST = 'plaza';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const STYLE_NONCE_PLACEHOLDER = '__PLAZA_STYLE_NONCE__';

export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, codeCache: true },
} as const;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
  '.webmanifest': 'application/manifest+json',
};

/**
 * Maps an `app://plaza/...` URL to a file under `rootDir`, or null when the URL is not ours or
 * escapes the root (`..`, encoded separators, absolute paths, NUL bytes). Paths without an
 * extension are client-side routes and get the app's `index.html`.
 */
export function resolveAppFile(rootDir: string, requestUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return null;
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return null;
  const segments = pathname.split('/').filter((segment) => segment.length > 0);
  if (segments.some((segment) => segment === '..' || segment === '.')) return null;
  if (segments.length === 0 || path.extname(segments[segments.length - 1] ?? '') === '') {
    return path.join(rootDir, 'index.html');
  }
  const root = path.resolve(rootDir);
  const resolved = path.resolve(root, ...segments);
  if (resolved !== root && !resolved.startsWith(root + path.sep)) return null;
  return resolved;
}

export interface AppProtocolOptions {
  readonly rootDir: string;
  readonly serverOrigin: () => string;
  readonly read?: (file: string) => Promise<Buffer>;
  readonly nonce?: () => string;
}

export function createAppProtocolHandler(options: AppProtocolOptions): (request: Request) => Promise<Response> {
  const read = options.read ?? ((file: string) => readFile(file));
  const nonce = options.nonce ?? (() => randomBytes(18).toString('base64'));
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return new Response('method not allowed', { status: 405 });
    }
    const file = resolveAppFile(options.rootDir, request.url);
    if (file === null) return new Response('not found', { status: 404 });
    let body: Buffer;
    try {
      body = await read(file);
    } catch {
      return new Response('not found', { status: 404 });
    }
    const extension = path.extname(file).toLowerCase();
    const headers = new Headers({
      'content-type': CONTENT_TYPES[extension] ?? 'application/octet-stream',
      'x-content-type-options': 'nosniff',
    });
    if (extension === '.html') {
      const styleNonce = nonce();
      headers.set('content-security-policy', buildContentSecurityPolicy({ serverOrigin: options.serverOrigin(), styleNonce }));
      const html = body.toString('utf8').replaceAll(STYLE_NONCE_PLACEHOLDER, styleNonce);
      return new Response(html, { status: 200, headers });
    }
    return new Response(new Uint8Array(body), { status: 200, headers });
  };
}
