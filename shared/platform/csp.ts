/**
 * The Content-Security-Policy that every Plaza page is served with, in the desktop app (sent by
 * the `app://` protocol handler) and in the web flavour (sent by the sync server). One function,
 * so that both hosts can only differ in the server they allow.
 */

export interface CspInput {
  /** Origin of the sync server, e.g. `http://127.0.0.1:8787`. `connect-src` allows only it. */
  readonly serverOrigin: string;
  /** Per-response nonce for the one `<style>` tag the component library injects. */
  readonly styleNonce: string;
}

export class CspError extends Error {
  override readonly name = 'CspError';
}

/** `http://h:p` → `ws://h:p`, `https://h` → `wss://h`. Anything else is refused. */
export function webSocketOrigin(httpOrigin: string): string {
  const url = parseOrigin(httpOrigin);
  return `${url.protocol === 'https:' ? 'wss:' : 'ws:'}//${url.host}`;
}

export function normalizeOrigin(value: string): string {
  return parseOrigin(value).origin;
}

function parseOrigin(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CspError(`not a URL: ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CspError(`server URL must be http or https, got ${url.protocol}`);
  }
  if (url.username || url.password) throw new CspError('server URL must not carry credentials');
  return url;
}

const NONCE_PATTERN = /^[A-Za-z0-9+/_-]{16,}={0,2}$/;

export function buildContentSecurityPolicy({ serverOrigin, styleNonce }: CspInput): string {
  if (!NONCE_PATTERN.test(styleNonce)) throw new CspError('style nonce must be base64 of 12+ random bytes');
  const http = normalizeOrigin(serverOrigin);
  const ws = webSocketOrigin(serverOrigin);
  const directives: Record<string, string[]> = {
    'default-src': ["'self'"],
    'script-src': ["'self'"],
    'style-src': ["'self'", `'nonce-${styleNonce}'`],
    'img-src': ["'self'", 'data:', 'blob:', http],
    'font-src': ["'self'", 'data:'],
    'connect-src': ["'self'", http, ws],
    'media-src': ["'self'", 'data:'],
    'worker-src': ["'self'"],
    'manifest-src': ["'self'"],
    'object-src': ["'none'"],
    'base-uri': ["'none'"],
    'form-action': ["'none'"],
    'frame-src': ["'none'"],
    'frame-ancestors': ["'none'"],
  };
  return Object.entries(directives)
    .map(([name, sources]) => `${name} ${[...new Set(sources)].join(' ')}`)
    .join('; ');
}

/** Parses a policy back into directives; used by tests and by the E2E check of served pages. */
export function parseContentSecurityPolicy(policy: string): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) directives.set(name.toLowerCase(), sources);
  }
  return directives;
}
