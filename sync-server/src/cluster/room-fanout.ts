/**
 * Room fan-out on Redis: one channel per loaded room (`room:<name>`), subscribed while the room is
 * loaded here, so a process receives only the rooms it serves. A message is binary:
 * [kind][origin process][seq][payload]. Messages from this very process are dropped on receipt
 * (an echo is never applied twice nor relayed back: no Hocuspocus #335 loop).
 * The compaction lease of a room is an ordinary lease named `room:<name>`.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type { Logger } from '../log.ts';
import type { RemoteRoomMessage, RoomFanout } from '../rooms/room-manager.ts';
import type { RedisBus } from './bus.ts';
import type { LeaseManager } from './leases.ts';

const KIND_UPDATE = 0;
const KIND_AWARENESS = 1;

export function encodeRoomMessage(origin: string, kind: RemoteRoomMessage['kind'], seq: number, data: Uint8Array): Buffer {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, kind === 'update' ? KIND_UPDATE : KIND_AWARENESS);
  encoding.writeVarString(encoder, origin);
  encoding.writeVarUint(encoder, seq);
  encoding.writeVarUint8Array(encoder, data);
  return Buffer.from(encoding.toUint8Array(encoder));
}

export function decodeRoomMessage(buffer: Uint8Array): { origin: string; message: RemoteRoomMessage } {
  const decoder = decoding.createDecoder(buffer);
  const kind = decoding.readVarUint(decoder);
  const origin = decoding.readVarString(decoder);
  const seq = decoding.readVarUint(decoder);
  const data = decoding.readVarUint8Array(decoder);
  if (kind !== KIND_UPDATE && kind !== KIND_AWARENESS) throw new Error(`unknown room message kind ${kind}`);
  return { origin, message: { kind: kind === KIND_UPDATE ? 'update' : 'awareness', seq, data } };
}

export class RedisRoomFanout implements RoomFanout {
  private readonly bus: RedisBus;
  private readonly leases: LeaseManager;
  private readonly processId: string;
  private readonly logger: Logger;
  /** Counts for metrics and tests. */
  echoesDropped = 0;
  received = 0;

  constructor(options: { bus: RedisBus; leases: LeaseManager; processId: string; logger: Logger }) {
    this.bus = options.bus;
    this.leases = options.leases;
    this.processId = options.processId;
    this.logger = options.logger;
  }

  async join(room: string, onMessage: (message: RemoteRoomMessage) => void): Promise<() => void> {
    const handler = (buffer: Buffer) => {
      let decoded;
      try {
        decoded = decodeRoomMessage(buffer);
      } catch (error) {
        this.logger.warn({ err: error, room }, 'dropped a malformed bus message');
        return;
      }
      if (decoded.origin === this.processId) {
        this.echoesDropped += 1;
        return;
      }
      this.received += 1;
      onMessage(decoded.message);
    };
    await this.bus.subscribe(`room:${room}`, handler);
    return () => void this.bus.unsubscribe(`room:${room}`, handler);
  }

  publishUpdate(room: string, seq: number, data: Uint8Array): void {
    this.bus.publish(`room:${room}`, encodeRoomMessage(this.processId, 'update', seq, data));
  }

  publishAwareness(room: string, data: Uint8Array): void {
    this.bus.publish(`room:${room}`, encodeRoomMessage(this.processId, 'awareness', 0, data));
  }

  async mayCompact(room: string): Promise<boolean> {
    try {
      return (await this.leases.acquire(`room:${room}`, () => undefined)) !== null;
    } catch {
      // Redis down: skip this compaction (the log only grows until the next one).
      return false;
    }
  }

  releaseCompaction(room: string): void {
    void this.leases.release(`room:${room}`);
  }

  onReconnect(handler: () => void): void {
    this.bus.onReconnect(handler);
  }
}
