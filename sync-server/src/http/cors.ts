/**
 * CORS for the one cross-origin caller Plaza has: the desktop app, whose pages come from
 * `app://plaza` and call the sync server over http(s). The web flavour is same-origin and needs
 * none. Credentials (cookies) are never allowed cross-origin: desktop sends tokens in headers.
 */
import type { MiddlewareHandler } from 'hono';

export const DESKTOP_ORIGIN = 'app://plaza';

export function desktopCors(extraOrigins: readonly string[] = []): MiddlewareHandler {
  const allowed = new Set([DESKTOP_ORIGIN, ...extraOrigins]);
  return async (c, next) => {
    const origin = c.req.header('origin');
    const permitted = origin !== undefined && allowed.has(origin);
    if (c.req.method === 'OPTIONS' && c.req.header('access-control-request-method')) {
      if (!permitted) return c.body(null, 403);
      return c.body(null, 204, {
        'access-control-allow-origin': origin,
        'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE',
        'access-control-allow-headers': 'authorization, content-type, x-plaza-client',
        'access-control-max-age': '600',
        vary: 'origin',
      });
    }
    await next();
    if (permitted) {
      c.res.headers.set('access-control-allow-origin', origin);
      c.res.headers.append('vary', 'origin');
    }
    return undefined;
  };
}
