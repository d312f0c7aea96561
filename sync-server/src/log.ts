import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/** Query parameters that may carry credentials (stock y-websocket clients send `?token=`). */
const SECRET_PARAMS = ['token', 'access_token', 'refresh_token', 'key'];

export function redactUrl(raw: string): string {
  const queryAt = raw.indexOf('?');
  if (queryAt < 0) return raw;
  const params = new URLSearchParams(raw.slice(queryAt + 1));
  for (const name of SECRET_PARAMS) if (params.has(name)) params.set(name, 'REDACTED');
  return `${raw.slice(0, queryAt)}?${params.toString()}`;
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'plaza-sync-server' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: ['authorization', 'headers.authorization', 'headers.cookie', 'headers["sec-websocket-protocol"]', 'password', 'token'], censor: 'REDACTED' },
    },
    destination,
  );
}
