/**
 * One WebSocket connection to one room. One enforcement point for every channel: sync messages
 * (read-only peers' writes are dropped, counted and reported; an answer that changes nothing is
 * no write), awareness (own client ids only, user stamped), Plaza's own messages; anything
 * malformed closes this connection and nothing else.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { applyAwarenessUpdate, encodeAwarenessUpdate } from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import type { WebSocket } from 'ws';
import { CLOSE } from '../../../shared/sync/close-codes.ts';
import { encodeAck, encodeRoomInfo, encodeTimeReply, encodeViolation, MESSAGE, readTimeMessage, type ViolationReport } from '../../../shared/sync/protocol.ts';
import { ROOM_LAYOUT_VERSION } from '../../../shared/sync/room-meta.ts';
import type { Access } from '../../../shared/sync/rooms.ts';
import type { AccessClaims } from '../auth/tokens.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { Room } from '../rooms/room.ts';
import type { RoomManager } from '../rooms/room-manager.ts';
import type { WriteOrigin } from '../store/types.ts';
import { decodeAwarenessUpdate, encodeAwarenessEntries, filterAndStamp } from './awareness-policy.ts';
import { changesDoc } from './read-only-update.ts';

export interface ConnectionLimits {
  /** Messages per second allowed on average, and the burst above it. */
  readonly messagesPerSecond: number;
  readonly messageBurst: number;
  /** Messages buffered while the room loads; more closes the connection. */
  readonly maxQueuedWhileLoading: number;
  /** Bytes waiting in the socket's send buffer before the peer counts as too slow. */
  readonly maxBufferedBytes: number;
}

export interface ConnectionContext {
  readonly rooms: RoomManager;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly limits: ConnectionLimits;
  readonly now: () => number;
  /** Per-room map of awareness client id → owning connection id. */
  readonly awarenessOwners: (room: Room) => Map<number, string>;
  onClosed(connection: Connection): void;
  onRoomPeersChanged(room: Room): void;
}

let nextConnectionNumber = 0;

export class Connection {
  readonly id: string;
  readonly ws: WebSocket;
  readonly claims: AccessClaims;
  readonly roomName: string;
  readonly isPlaza: boolean;
  readonly ip: string;
  access: Access;
  room: Room | null = null;
  lastMessageAt: number;
  rttMs: number | null = null;
  private readonly context: ConnectionContext;
  private readonly queued: Uint8Array[] = [];
  private tokens: number;
  private lastRefill: number;
  private closed = false;
  private ackScheduled = false;
  private pingSentAt = 0;
  private readonly ownedClients = new Set<number>();
  private readonly origin: WriteOrigin;

  constructor(input: { ws: WebSocket; claims: AccessClaims; roomName: string; access: Access; isPlaza: boolean; ip: string; context: ConnectionContext }) {
    nextConnectionNumber += 1;
    this.id = `c${nextConnectionNumber}`;
    this.ws = input.ws;
    this.claims = input.claims;
    this.roomName = input.roomName;
    this.access = input.access;
    this.isPlaza = input.isPlaza;
    this.ip = input.ip;
    this.context = input.context;
    this.lastMessageAt = input.context.now();
    this.tokens = input.context.limits.messageBurst;
    this.lastRefill = this.lastMessageAt;
    this.origin = { kind: 'client', user: input.claims.user, connection: this.id };
    this.ws.on('message', (data: Buffer, isBinary: boolean) => this.receive(data, isBinary));
    this.ws.on('close', () => this.handleClosed());
    this.ws.on('error', (error) => this.context.logger.debug({ err: error, connection: this.id }, 'socket error'));
    this.ws.on('pong', () => {
      if (this.pingSentAt > 0) {
        const sample = this.context.now() - this.pingSentAt;
        this.rttMs = this.rttMs === null ? sample : Math.round(this.rttMs * 0.7 + sample * 0.3);
        this.pingSentAt = 0;
      }
    });
  }

  get user(): string {
    return this.claims.user;
  }

  get tenant(): string {
    return this.claims.tenant;
  }

  /** Loads the room, joins it and starts the sync (server step 1, current awareness). */
  async start(): Promise<void> {
    let room: Room;
    try {
      room = await this.context.rooms.acquire(this.roomName);
    } catch {
      this.close(CLOSE.internal.code, 'room unavailable; reconnect');
      return;
    }
    if (this.closed) {
      this.context.rooms.detach(room, this);
      return;
    }
    this.room = room;
    this.context.rooms.attach(room, this);
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE.sync);
    syncProtocol.writeSyncStep1(encoder, room.doc);
    this.send(encoding.toUint8Array(encoder));
    const states = room.awareness.getStates();
    if (states.size > 0) this.send(this.awarenessMessage(encodeAwarenessUpdate(room.awareness, [...states.keys()])));
    this.context.onRoomPeersChanged(room);
    for (const message of this.queued.splice(0)) this.handle(message);
  }

  send(message: Uint8Array): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    if (this.ws.bufferedAmount > this.context.limits.maxBufferedBytes) {
      this.close(CLOSE.rateLimited.code, 'connection too slow to keep up');
      return;
    }
    this.ws.send(message, { binary: true });
  }

  sendRoomInfo(counts: { readonly connections: number; readonly users: number }): void {
    if (this.isPlaza && this.access !== 'none') this.send(encodeRoomInfo({ ...counts, access: this.access, roomVersion: ROOM_LAYOUT_VERSION }));
  }

  sendViolation(report: ViolationReport): void {
    if (this.isPlaza) this.send(encodeViolation(report));
  }

  ping(now: number): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    this.pingSentAt = now;
    this.ws.ping();
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.context.metrics.closes.inc({ code: String(code) });
    this.ws.close(code, reason);
    // A peer that ignores the close handshake is cut after a grace period.
    setTimeout(() => this.ws.terminate(), 2000).unref();
    this.handleClosed();
  }

  private handleClosed(): void {
    if (this.closed) return;
    this.closed = true;
    const room = this.room;
    if (room && !room.destroyed) {
      if (this.ownedClients.size > 0) {
        const owned = [...this.ownedClients];
        // Tell the others this peer's presence is gone: a null state one clock past the last.
        const removal = encodeAwarenessEntries(owned.map((clientId) => ({ clientId, clock: (room.awareness.meta.get(clientId)?.clock ?? 0) + 1, state: null })));
        applyAwarenessUpdate(room.awareness, removal, this);
        const owners = this.context.awarenessOwners(room);
        for (const client of owned) if (owners.get(client) === this.id) owners.delete(client);
        room.broadcast(this.awarenessMessage(removal), this);
        this.context.rooms.awarenessChanged(room, removal);
      }
      this.context.rooms.detach(room, this);
      this.context.onRoomPeersChanged(room);
    }
    this.context.onClosed(this);
  }

  private refill(now: number): void {
    const { messagesPerSecond, messageBurst } = this.context.limits;
    this.tokens = Math.min(messageBurst, this.tokens + ((now - this.lastRefill) / 1000) * messagesPerSecond);
    this.lastRefill = now;
  }

  private receive(data: Buffer, isBinary: boolean): void {
    if (this.closed) return;
    const now = this.context.now();
    this.lastMessageAt = now;
    this.refill(now);
    this.tokens -= 1;
    if (this.tokens < 0) {
      this.close(CLOSE.rateLimited.code, CLOSE.rateLimited.reason);
      return;
    }
    if (!isBinary) {
      this.close(CLOSE.malformed.code, 'text frames are not part of the protocol');
      return;
    }
    const message = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (this.room === null) {
      if (this.queued.length >= this.context.limits.maxQueuedWhileLoading) {
        this.close(CLOSE.rateLimited.code, 'too many messages before the room was ready');
        return;
      }
      this.queued.push(message);
      return;
    }
    this.handle(message);
  }

  private handle(message: Uint8Array): void {
    const room = this.room;
    if (!room || room.destroyed || this.closed) return;
    try {
      const decoder = decoding.createDecoder(message);
      const type = decoding.readVarUint(decoder);
      switch (type) {
        case MESSAGE.sync:
          this.handleSync(room, decoder);
          return;
        case MESSAGE.awareness:
          this.handleAwareness(room, decoding.readVarUint8Array(decoder));
          return;
        case MESSAGE.queryAwareness:
          this.send(this.awarenessMessage(encodeAwarenessUpdate(room.awareness, [...room.awareness.getStates().keys()])));
          return;
        case MESSAGE.time: {
          const time = readTimeMessage(decoder);
          if (time.kind !== 'request') throw new Error('clients only send time requests');
          this.send(encodeTimeReply(time.clientSentAt, this.context.now()));
          return;
        }
        default:
          throw new Error(`unknown message type ${type}`);
      }
    } catch (error) {
      this.context.logger.debug({ err: error, connection: this.id, room: room.name }, 'malformed message');
      this.close(CLOSE.malformed.code, CLOSE.malformed.reason);
    }
  }

  private handleSync(room: Room, decoder: decoding.Decoder): void {
    const step = decoding.readVarUint(decoder);
    if (step === syncProtocol.messageYjsSyncStep1) {
      const stateVector = decoding.readVarUint8Array(decoder);
      Y.decodeStateVector(stateVector);
      void this.context.rooms.answerSyncStep1(room, this, stateVector);
      return;
    }
    if (step !== syncProtocol.messageYjsSyncStep2 && step !== syncProtocol.messageYjsUpdate) throw new Error(`unknown sync step ${step}`);
    const update = decoding.readVarUint8Array(decoder);
    // Parse fully before touching the document: a malformed update must not half-apply.
    Y.decodeUpdate(update);
    if (this.access !== 'write') {
      // A reconnecting reader's sync step 2 repeats deletions the room already has: not a write.
      if (changesDoc(room.doc, update)) {
        this.context.metrics.droppedWrites.inc({ reason: 'read-only' });
        this.sendViolation({ room: room.name, path: '', code: 'read-only', message: 'this room is read-only for you; local changes were not accepted' });
      }
      if (step === syncProtocol.messageYjsSyncStep2) this.scheduleAck(room);
      return;
    }
    this.context.rooms.applyClientUpdate(room, update, this, this.origin).then(
      () => this.scheduleAck(room),
      () => this.close(CLOSE.internal.code, CLOSE.internal.reason),
    );
  }

  private handleAwareness(room: Room, update: Uint8Array): void {
    const entries = decodeAwarenessUpdate(update);
    if (this.access !== 'write') {
      // Read-only peers send no presence; stock clients send it anyway, so drop it quietly.
      return;
    }
    const kept = filterAndStamp(entries, this.id, this.context.awarenessOwners(room), { id: this.claims.user, name: this.claims.name });
    if (kept.length === 0) return;
    for (const entry of kept) this.ownedClients.add(entry.clientId);
    const stamped = encodeAwarenessEntries(kept);
    applyAwarenessUpdate(room.awareness, stamped, this);
    room.broadcast(this.awarenessMessage(stamped), this);
    this.context.rooms.awarenessChanged(room, stamped);
  }

  private awarenessMessage(update: Uint8Array): Uint8Array {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE.awareness);
    encoding.writeVarUint8Array(encoder, update);
    return encoding.toUint8Array(encoder);
  }

  /** Tells a Plaza client what the server has stored, once per burst of its writes. */
  private scheduleAck(room: Room): void {
    if (!this.isPlaza || this.ackScheduled) return;
    this.ackScheduled = true;
    queueMicrotask(() => {
      this.ackScheduled = false;
      void room.enqueue(() => {
        if (!room.destroyed) this.send(encodeAck(Y.encodeStateVector(room.doc)));
      });
    });
  }
}
