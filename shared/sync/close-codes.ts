/**
 * Close codes, 4000 + the HTTP status where one fits (Hocuspocus's convention). Stock
 * y-websocket clients treat 4400–4499 as final and stop reconnecting; everything else is
 * transient. Plaza's client also reconnects after `timeout`, `rateLimited` and
 * `tooManyConnections`, which only mean "not now" (`FINAL_CLOSES` in renderer/src/engine/room-replica.ts).
 */
export const CLOSE = {
  normal: { code: 1000, reason: 'closed' },
  goingAway: { code: 1001, reason: 'server shutting down' },
  tooBig: { code: 1009, reason: 'message too big' },
  internal: { code: 1011, reason: 'internal error; reconnect' },
  /** Transient: access changed (demotion, new role); reconnect to get the new access. */
  permissionsChanged: { code: 4000, reason: 'permissions changed; reconnect' },
  /** Transient: the room must be reloaded from the store (after a failed write). */
  reload: { code: 4001, reason: 'room reloaded; reconnect' },
  malformed: { code: 4400, reason: 'malformed message' },
  unauthorized: { code: 4401, reason: 'unauthorized' },
  forbidden: { code: 4403, reason: 'forbidden' },
  timeout: { code: 4408, reason: 'no message for too long' },
  updateTheApp: { code: 4426, reason: 'update the app: unsupported protocol version' },
  rateLimited: { code: 4429, reason: 'too many messages' },
  tooManyConnections: { code: 4430, reason: 'too many connections' },
} as const;

export type CloseName = keyof typeof CLOSE;
