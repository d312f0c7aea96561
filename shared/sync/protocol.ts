/**
 * The wire: the y-websocket protocol (sync 0, awareness 1, query-awareness 3) plus Plaza's own
 * message types, which are only ever sent to clients that connected with the Plaza subprotocol.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

export const WIRE_VERSION = 1;
/** Offered by Plaza clients in `Sec-WebSocket-Protocol`; the server echoes it. */
export const PLAZA_SUBPROTOCOL = `plaza.v${WIRE_VERSION}`;
/** The access token travels as a second subprotocol entry: `plaza.auth.<jwt>`. */
export const AUTH_SUBPROTOCOL_PREFIX = 'plaza.auth.';
/** Prefix of any Plaza subprotocol; an unknown version is refused with "update the app". */
export const PLAZA_SUBPROTOCOL_PREFIX = 'plaza.v';

export const MESSAGE = {
  sync: 0,
  awareness: 1,
  auth: 2,
  queryAwareness: 3,
  /** Plaza: clock sync and heartbeat. */
  time: 100,
  /** Plaza: the server's state vector after it durably stored what this client sent. */
  ack: 101,
  /** Plaza: live facts about the room (people in it, sockets on this process, this connection's access). */
  roomInfo: 102,
  /** Plaza: content this client wrote breaks a rule and is hidden everywhere. */
  violation: 103,
} as const;

export const SYNC_STEP = { step1: 0, step2: 1, update: 2 } as const;

export const TIME_KIND = { request: 0, reply: 1, beat: 2 } as const;

/** `[1, 1, 0]`: an awareness update with no entries, the heartbeat for stock clients. */
export const EMPTY_AWARENESS_HEARTBEAT = new Uint8Array([MESSAGE.awareness, 1, 0]);

export function encodeTimeRequest(clientSentAt: number): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE.time);
  encoding.writeVarUint(encoder, TIME_KIND.request);
  encoding.writeFloat64(encoder, clientSentAt);
  return encoding.toUint8Array(encoder);
}

export function encodeTimeReply(clientSentAt: number, serverTime: number): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE.time);
  encoding.writeVarUint(encoder, TIME_KIND.reply);
  encoding.writeFloat64(encoder, clientSentAt);
  encoding.writeFloat64(encoder, serverTime);
  return encoding.toUint8Array(encoder);
}

export function encodeTimeBeat(serverTime: number): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE.time);
  encoding.writeVarUint(encoder, TIME_KIND.beat);
  encoding.writeFloat64(encoder, serverTime);
  return encoding.toUint8Array(encoder);
}

export type TimeMessage =
  | { readonly kind: 'request'; readonly clientSentAt: number }
  | { readonly kind: 'reply'; readonly clientSentAt: number; readonly serverTime: number }
  | { readonly kind: 'beat'; readonly serverTime: number };

/** Reads a time message body (after the message type). Throws on malformed input. */
export function readTimeMessage(decoder: decoding.Decoder): TimeMessage {
  const kind = decoding.readVarUint(decoder);
  if (kind === TIME_KIND.request) return { kind: 'request', clientSentAt: decoding.readFloat64(decoder) };
  if (kind === TIME_KIND.reply) return { kind: 'reply', clientSentAt: decoding.readFloat64(decoder), serverTime: decoding.readFloat64(decoder) };
  if (kind === TIME_KIND.beat) return { kind: 'beat', serverTime: decoding.readFloat64(decoder) };
  throw new Error(`unknown time message kind ${kind}`);
}

export function encodeAck(stateVector: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE.ack);
  encoding.writeVarUint8Array(encoder, stateVector);
  return encoding.toUint8Array(encoder);
}

export interface RoomInfo {
  /**
   * Connections to this room on the server process this client is connected to: one person with
   * two tabs open counts twice. Not a count of the room: server processes of a cluster share who
   * is connected where, not their sockets, so the others' connections are not in it. Show `users`.
   */
  readonly connections: number;
  /**
   * People connected to this room through any live server process (each user once, however many
   * tabs or processes): what a viewer count is made of. Absent from servers older than this field.
   */
  readonly users?: number;
  readonly access: 'read' | 'write';
  readonly roomVersion: number;
}

export function encodeRoomInfo(info: RoomInfo): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE.roomInfo);
  encoding.writeVarString(encoder, JSON.stringify(info));
  return encoding.toUint8Array(encoder);
}

export interface ViolationReport {
  readonly room: string;
  readonly path: string;
  readonly code: string;
  readonly message: string;
}

export function encodeViolation(report: ViolationReport): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE.violation);
  encoding.writeVarString(encoder, JSON.stringify(report));
  return encoding.toUint8Array(encoder);
}

/** Round-trip and clock offset from one time reply, NTP-style with a symmetric-path guess. */
export function clockSample(reply: { clientSentAt: number; serverTime: number }, clientReceivedAt: number): { rttMs: number; offsetMs: number } {
  const rttMs = Math.max(0, clientReceivedAt - reply.clientSentAt);
  const offsetMs = reply.serverTime + rttMs / 2 - clientReceivedAt;
  return { rttMs, offsetMs };
}
