/**
 * Loads, serves, writes and unloads rooms (after Hocuspocus's Hocuspocus.ts, with its known
 * failures fixed): concurrent loads are shared; a room loads fully before anyone reads it; a
 * failed load stores nothing and frees everything; every change goes apply → store → publish on
 * the room's chain; idle rooms compact and unload after a debounce; shutdown flushes.
 */
import * as encoding from 'lib0/encoding';
import { applyAwarenessUpdate } from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { MESSAGE } from '../../../shared/sync/protocol.ts';
import { CLOSE } from '../../../shared/sync/close-codes.ts';
import { ROOM_LAYOUT_VERSION, ROOM_META } from '../../../shared/sync/room-meta.ts';
import { parseRoomName, type RoomRef } from '../../../shared/sync/rooms.ts';
import type { Logger } from '../log.ts';
import { timed, type Metrics } from '../metrics.ts';
import type { PendingIntentInput, Store, WriteOrigin } from '../store/types.ts';
import { Room, type RoomPeer } from './room.ts';

export interface RoomManagerOptions {
  readonly store: Store;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** How long a room with no peers and no holders stays loaded. */
  readonly idleUnloadMs: number;
  /** Compact a room's log into a snapshot after this many stored updates. */
  readonly compactEvery: number;
  /** Several server processes (cluster mode): rooms' updates and awareness travel through this. */
  readonly fanout?: RoomFanout;
  /** How long a gap in a room's sequence numbers may wait for the bus before the store is read. */
  readonly gapGraceMs?: number;
  /** How often loaded rooms are compared with the store's heads (cluster mode; a missed message heals). */
  readonly resyncEveryMs?: number;
}

/** A message about a room from another server process. */
export interface RemoteRoomMessage {
  readonly kind: 'update' | 'awareness';
  /** The update's sequence number in the store (0 for awareness). */
  readonly seq: number;
  readonly data: Uint8Array;
}

/**
 * Fan-out between server processes (implemented on Redis in `cluster/`). Updates are published
 * after their commit with their sequence number; a process never receives its own messages.
 */
export interface RoomFanout {
  /** Starts receiving a room's messages; resolves once subscribed. Returns what stops it. */
  join(room: string, onMessage: (message: RemoteRoomMessage) => void): Promise<() => void>;
  publishUpdate(room: string, seq: number, data: Uint8Array): void;
  publishAwareness(room: string, data: Uint8Array): void;
  /** Takes or keeps the room's compaction lease: false when another process compacts this room. */
  mayCompact(room: string): Promise<boolean>;
  /** Gives the compaction lease up (the room unloads here). */
  releaseCompaction(room: string): void;
  /** Runs after the bus reconnected (messages may have been lost). */
  onReconnect(handler: () => void): void;
}

/** The origin of remote updates applied to a loaded room. */
export const REMOTE_ORIGIN = Symbol('remote');

/** What a client update changed in a map of its room, for hooks that watch one. */
export interface KeyChanges {
  readonly upserted: string[];
  readonly deleted: string[];
}

export interface ClientUpdateHooks {
  /** Name of a top-level Y.Map whose key changes the hooks want to see, for this room. */
  watchedMap(room: Room): string | null;
  /** Intents to queue in the same transaction as the update. */
  intentsFor(room: Room, changes: KeyChanges, origin: WriteOrigin): PendingIntentInput[];
  /** After the update is stored and published. */
  afterStore(room: Room, changes: KeyChanges, queued: number, writer: RoomPeer): void;
}

/** A client update waiting for its room's next turn (see `applyClientUpdate`). */
export interface IncomingUpdate {
  readonly update: Uint8Array;
  readonly peer: RoomPeer;
  readonly origin: WriteOrigin;
  resolve(stored: boolean): void;
  reject(error: unknown): void;
}

export class RoomLoadError extends Error {
  override readonly name = 'RoomLoadError';
}

export interface CloseablePeer extends RoomPeer {
  close(code: number, reason: string): void;
}

export class RoomManager {
  private readonly options: RoomManagerOptions;
  private readonly rooms = new Map<string, Room>();
  private readonly loading = new Map<string, Promise<Room>>();
  private readonly unloading = new Map<string, Promise<void>>();
  hooks: ClientUpdateHooks | null = null;
  private shuttingDown = false;

  private resyncTimer: ReturnType<typeof setInterval> | null = null;

  constructor(options: RoomManagerOptions) {
    this.options = options;
    if (options.fanout) {
      options.fanout.onReconnect(() => void this.resync());
      this.resyncTimer = setInterval(() => void this.resync(), options.resyncEveryMs ?? 5000);
      this.resyncTimer.unref();
    }
  }

  get clustered(): boolean {
    return this.options.fanout !== undefined;
  }

  get loadedCount(): number {
    return this.rooms.size;
  }

  loaded(name: string): Room | undefined {
    const room = this.rooms.get(name);
    return room && !room.destroyed ? room : undefined;
  }

  loadedRooms(): IterableIterator<Room> {
    return this.rooms.values();
  }

  /** The room, loaded and ready; concurrent calls share one load. Cancels a pending unload. */
  async acquire(name: string): Promise<Room> {
    if (this.shuttingDown) throw new RoomLoadError('server is shutting down');
    for (;;) {
      const pendingUnload = this.unloading.get(name);
      if (pendingUnload) await pendingUnload;
      const room = this.rooms.get(name);
      if (room && !room.destroyed) {
        if (room.unloadTimer) {
          clearTimeout(room.unloadTimer);
          room.unloadTimer = null;
        }
        return room;
      }
      let load = this.loading.get(name);
      if (!load) {
        load = this.load(name).finally(() => this.loading.delete(name));
        this.loading.set(name, load);
      }
      const loaded = await load;
      if (!loaded.destroyed) return loaded;
    }
  }

  private async load(name: string): Promise<Room> {
    const parsed = parseRoomName(name);
    if (!parsed.ok) throw new RoomLoadError(`no such room: ${name}`);
    const { store, metrics, fanout } = this.options;
    const doc = new Y.Doc({ gc: true });
    // Cluster: subscribe before reading the store, so that no update committed meanwhile is missed;
    // what arrives during the load waits and is applied after it (duplicates are skipped by seq).
    let room: Room | null = null;
    const early: RemoteRoomMessage[] = [];
    let leave: (() => void) | null = null;
    try {
      if (fanout) leave = await fanout.join(name, (message) => (room ? this.onRemote(room, message) : early.push(message)));
      const stored = await timed(metrics.storeLatency, 'load', () => store.rooms.load(name));
      const parts = [...(stored.snapshot ? [stored.snapshot] : []), ...stored.updates.map((update) => update.data)];
      if (parts.length > 0) Y.applyUpdate(doc, parts.length === 1 ? parts[0]! : Y.mergeUpdates(parts), 'load');
      const lastSeq = stored.updates.at(-1)?.seq ?? stored.snapshotSeq;
      let created: { seq: number; update: Uint8Array } | null = null;
      if (doc.getMap(ROOM_META).get('v') === undefined) {
        const update = captureUpdate(doc, 'server', () => doc.getMap(ROOM_META).set('v', ROOM_LAYOUT_VERSION));
        if (update) {
          const appended = await store.rooms.appendUpdate({ room: name, data: update, origin: { kind: 'server', reason: 'create-room' } });
          created = { seq: appended.seq, update };
        }
      }
      if (this.shuttingDown) throw new RoomLoadError('server is shutting down');
      const loaded = new Room(name, parsed.value, doc, lastSeq, stored.updates.length);
      loaded.leaveFanout = leave;
      if (created) {
        loaded.noteSeq(created.seq);
        loaded.updatesSinceSnapshot += 1;
        fanout?.publishUpdate(name, created.seq, created.update);
      }
      room = loaded;
      this.rooms.set(name, loaded);
      metrics.roomsLoaded.set(this.rooms.size);
      for (const message of early.splice(0)) this.onRemote(loaded, message);
      if (loaded.hasGap) this.scheduleGapCatchUp(loaded);
      this.scheduleUnload(loaded);
      return loaded;
    } catch (error) {
      // Never keep (or later store) a room that failed to load: that is how an empty doc once
      // overwrote real data (Hocuspocus #382).
      leave?.();
      doc.destroy();
      this.options.logger.error({ err: error, room: name }, 'room failed to load');
      throw error instanceof RoomLoadError ? error : new RoomLoadError(`room ${name} failed to load`);
    }
  }

  // Cluster: remote updates, gaps, catch-up ---------------------------------------------------------

  private onRemote(room: Room, message: RemoteRoomMessage): void {
    if (room.destroyed) return;
    if (message.kind === 'awareness') {
      applyAwarenessUpdate(room.awareness, message.data, REMOTE_ORIGIN);
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, MESSAGE.awareness);
      encoding.writeVarUint8Array(encoder, message.data);
      room.broadcast(encoding.toUint8Array(encoder));
      return;
    }
    void room.enqueue(() => {
      if (room.destroyed || room.hasSeq(message.seq)) return;
      this.applyRemote(room, [message.data]);
      room.noteSeq(message.seq);
      room.updatesSinceSnapshot += 1;
      if (room.hasGap) this.scheduleGapCatchUp(room);
    });
  }

  /** Applies updates from elsewhere and relays what was new to this process's peers. */
  private applyRemote(room: Room, updates: readonly Uint8Array[]): void {
    if (updates.length === 0) return;
    const emitted: Uint8Array[] = [];
    const collect = (data: Uint8Array, origin: unknown) => {
      if (origin === REMOTE_ORIGIN) emitted.push(data);
    };
    room.doc.on('update', collect);
    try {
      Y.applyUpdate(room.doc, updates.length === 1 ? updates[0]! : Y.mergeUpdates([...updates]), REMOTE_ORIGIN);
    } finally {
      room.doc.off('update', collect);
    }
    if (emitted.length > 0) this.publish(room, emitted.length === 1 ? emitted[0]! : Y.mergeUpdates(emitted));
  }

  private scheduleGapCatchUp(room: Room): void {
    if (room.gapTimer || room.destroyed) return;
    room.gapTimer = setTimeout(() => {
      room.gapTimer = null;
      if (room.hasGap && !room.destroyed) void this.catchUp(room).catch((error: unknown) => this.options.logger.warn({ err: error, room: room.name }, 'catching a room up failed'));
    }, this.options.gapGraceMs ?? 100);
    room.gapTimer.unref?.();
  }

  /**
   * Reads what the store holds after the room's last contiguous sequence number and applies it
   * (on the room's chain). In cluster mode a referee does this before deciding; alone, a no-op.
   */
  catchUp(room: Room): Promise<void> {
    if (!this.options.fanout) return Promise.resolve();
    return room.enqueue(async () => {
      if (room.destroyed) return;
      const delta = await timed(this.options.metrics.storeLatency, 'catch-up', () => this.options.store.rooms.since(room.name, room.lastSeq));
      if (room.destroyed) return;
      const parts = [...(delta.snapshot ? [delta.snapshot] : []), ...delta.updates.map((update) => update.data)];
      this.applyRemote(room, parts);
      room.updatesSinceSnapshot += delta.updates.length;
      room.advanceTo(Math.max(delta.updates.at(-1)?.seq ?? 0, delta.snapshot ? delta.snapshotSeq : 0));
    });
  }

  /** Compares every loaded room with the store's heads and catches up those behind (a lost message). */
  async resync(): Promise<void> {
    if (!this.options.fanout || this.shuttingDown) return;
    const rooms = [...this.rooms.values()].filter((room) => !room.destroyed);
    if (rooms.length === 0) return;
    try {
      const heads = await this.options.store.rooms.heads(rooms.map((room) => room.name));
      for (const room of rooms) {
        if ((heads.get(room.name) ?? 0) > room.lastSeq && !room.gapTimer) await this.catchUp(room);
      }
    } catch (error) {
      this.options.logger.warn({ err: error }, 'resync with the store failed; retrying later');
    }
  }

  /** Sends a change of this process's awareness to the other processes. */
  awarenessChanged(room: Room, update: Uint8Array): void {
    this.options.fanout?.publishAwareness(room.name, update);
  }

  /**
   * A write stored elsewhere than `applyClientUpdate` (a referee's commit): records its sequence
   * number, sends it to this process's peers and to the other processes.
   */
  committed(room: Room, seq: number, update: Uint8Array): void {
    room.noteSeq(seq);
    room.updatesSinceSnapshot += 1;
    this.publish(room, update);
    this.options.fanout?.publishUpdate(room.name, seq, update);
    if (room.hasGap) this.scheduleGapCatchUp(room);
  }

  attach(room: Room, peer: RoomPeer): void {
    room.peers.add(peer);
    if (room.unloadTimer) {
      clearTimeout(room.unloadTimer);
      room.unloadTimer = null;
    }
  }

  detach(room: Room, peer: RoomPeer): void {
    room.peers.delete(peer);
    this.scheduleUnload(room);
  }

  hold(room: Room): void {
    room.holds += 1;
    if (room.unloadTimer) {
      clearTimeout(room.unloadTimer);
      room.unloadTimer = null;
    }
  }

  unhold(room: Room): void {
    room.holds = Math.max(0, room.holds - 1);
    this.scheduleUnload(room);
  }

  private scheduleUnload(room: Room): void {
    if (room.destroyed || room.peers.size > 0 || room.holds > 0 || room.unloadTimer) return;
    room.unloadTimer = setTimeout(() => {
      room.unloadTimer = null;
      if (room.peers.size > 0 || room.holds > 0 || room.destroyed) return;
      const unload = room
        .enqueue(async () => {
          if (room.peers.size > 0 || room.holds > 0 || room.destroyed) return;
          await this.compact(room);
          this.remove(room);
          this.options.fanout?.releaseCompaction(room.name);
        })
        .catch((error: unknown) => this.options.logger.error({ err: error, room: room.name }, 'unload failed'))
        .finally(() => this.unloading.delete(room.name));
      this.unloading.set(room.name, unload);
    }, this.options.idleUnloadMs);
    room.unloadTimer.unref?.();
  }

  private remove(room: Room): void {
    if (this.rooms.get(room.name) === room) this.rooms.delete(room.name);
    room.destroy();
    this.options.metrics.roomsLoaded.set(this.rooms.size);
  }

  /** Folds the room's stored updates into one snapshot (nothing to do if there are none). */
  async compact(room: Room): Promise<void> {
    if (room.updatesSinceSnapshot === 0 || room.destroyed) return;
    // Cluster: one process per room compacts (the room lease); the others only count.
    if (this.options.fanout && !(await this.options.fanout.mayCompact(room.name))) {
      room.updatesSinceSnapshot = 0;
      return;
    }
    const snapshot = Y.encodeStateAsUpdate(room.doc);
    const upto = room.lastSeq;
    await timed(this.options.metrics.storeLatency, 'compact', () => this.options.store.rooms.compact(room.name, snapshot, upto));
    room.updatesSinceSnapshot = 0;
  }

  /**
   * Drops a room from memory at once and disconnects its peers, who reconnect and get the
   * stored state. Used when memory and store may disagree (a failed write).
   */
  evict(name: string): void {
    const room = this.rooms.get(name);
    if (!room) return;
    for (const peer of room.peers) (peer as Partial<CloseablePeer>).close?.(CLOSE.reload.code, CLOSE.reload.reason);
    room.peers.clear();
    this.remove(room);
    this.options.logger.warn({ room: name }, 'room evicted; peers will reload it from the store');
  }

  /** Answers a sync step 1 after every earlier write to the room is stored. */
  answerSyncStep1(room: Room, peer: RoomPeer, stateVector: Uint8Array): Promise<void> {
    return room.enqueue(() => {
      if (room.destroyed) return;
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, MESSAGE.sync);
      encoding.writeVarUint(encoder, syncProtocol.messageYjsSyncStep2);
      encoding.writeVarUint8Array(encoder, Y.encodeStateAsUpdate(room.doc, stateVector));
      peer.send(encoding.toUint8Array(encoder));
    });
  }

  /**
   * Applies a client's update: apply → store (with the intents it carries) → publish to the
   * other peers. Resolves true when something new was stored.
   *
   * Updates that arrive while the room's chain is busy (its previous write waits for the store's
   * group commit) join one batch, run in its next turn: each is applied and read for intents on
   * its own, in arrival order (so the first content of an intent still wins), all are appended in
   * the same group commit, and the batch is published once it is stored. Without this a room
   * stores one client update per event-loop turn, however many are waiting.
   */
  applyClientUpdate(room: Room, update: Uint8Array, peer: RoomPeer, origin: WriteOrigin): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      const entry: IncomingUpdate = { update, peer, origin, resolve, reject };
      if (room.incoming) {
        room.incoming.push(entry);
        return;
      }
      const batch = [entry];
      room.incoming = batch;
      void room.enqueue(async () => {
        if (room.incoming === batch) room.incoming = null;
        await this.applyClientBatch(room, batch);
      });
    });
  }

  private async applyClientBatch(room: Room, batch: readonly IncomingUpdate[]): Promise<void> {
    if (room.destroyed) {
      for (const entry of batch) entry.resolve(false);
      return;
    }
    const watched = this.hooks?.watchedMap(room) ?? null;
    const map = watched ? room.doc.getMap(watched) : null;
    let changes: KeyChanges = { upserted: [], deleted: [] };
    const observe = (event: Y.YMapEvent<unknown>) => {
      for (const [key, change] of event.changes.keys) (change.action === 'delete' ? changes.deleted : changes.upserted).push(key);
    };
    let emitted: Uint8Array[] = [];
    let from: RoomPeer | null = null;
    const collect = (data: Uint8Array, updateOrigin: unknown) => {
      if (updateOrigin === from) emitted.push(data);
    };
    // Whether applying changed the doc, by the test Yjs makes before it emits 'update'
    // (writeUpdateMessageFromTransaction): known without encoding anything.
    let changed = false;
    const noteChange = (transaction: Y.Transaction) => {
      if (transaction.origin !== from || changed) return;
      if (transaction.deleteSet.clients.size > 0) changed = true;
      else for (const [client, clock] of transaction.afterState) if (transaction.beforeState.get(client) !== clock) changed = true;
    };
    interface Applied {
      readonly entry: IncomingUpdate;
      readonly changes: KeyChanges;
      readonly emitted: Uint8Array[];
      readonly stored: Promise<{ seq: number; queued: number }>;
    }
    const applied: Applied[] = [];
    const store = this.options.store.rooms;
    // A store that does not keep call order gets each append after the one before it is stored.
    let previous: Promise<unknown> = Promise.resolve();
    const append = (entry: IncomingUpdate, intents: PendingIntentInput[]) => {
      const run = () => timed(this.options.metrics.storeLatency, 'append', () => store.appendUpdate({ room: room.name, data: entry.update, origin: entry.origin }, intents));
      if (store.appendsInCallOrder) return run();
      const stored = previous.then(run);
      previous = stored.catch(() => undefined);
      return stored;
    };
    map?.observe(observe);
    room.doc.on('afterTransaction', noteChange);
    try {
      for (const entry of batch) {
        changes = { upserted: [], deleted: [] };
        emitted = [];
        changed = false;
        from = entry.peer;
        // Yjs encodes what an update added only while someone listens for it, and the encoding
        // serves only the broadcast: an update nobody else in the room would receive (an outbox,
        // where its one writer is the only peer) is applied without it. A peer that joins later
        // is answered on the room's chain, after this batch, from the doc itself.
        const audience = room.peers.size > (room.peers.has(entry.peer) ? 1 : 0);
        if (audience) room.doc.on('update', collect);
        try {
          Y.applyUpdate(room.doc, entry.update, entry.peer);
        } catch (error) {
          entry.reject(error);
          continue;
        } finally {
          if (audience) room.doc.off('update', collect);
        }
        const pending = room.doc.store.pendingStructs !== null || room.doc.store.pendingDs !== null;
        if (!changed && !pending) {
          entry.resolve(false);
          continue;
        }
        const intents = this.hooks && changes.upserted.length > 0 ? this.hooks.intentsFor(room, changes, entry.origin) : [];
        applied.push({ entry, changes, emitted, stored: append(entry, intents) });
      }
    } finally {
      room.doc.off('afterTransaction', noteChange);
      map?.unobserve(observe);
    }
    if (applied.length === 0) return;
    const results = await Promise.allSettled(applied.map((item) => item.stored));
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) {
      this.options.logger.error({ err: failed.reason, room: room.name }, 'storing an update failed');
      this.evict(room.name);
      // Memory held writes the store may not: the room reloads; what was stored stays stored.
      results.forEach((result, index) => (result.status === 'fulfilled' ? applied[index]!.entry.resolve(true) : applied[index]!.entry.reject(result.reason)));
      return;
    }
    const appended = results.map((result) => (result as PromiseFulfilledResult<{ seq: number; queued: number }>).value);
    for (const { seq } of appended) {
      room.noteSeq(seq);
      room.updatesSinceSnapshot += 1;
    }
    this.options.metrics.updatesIn.inc(applied.length);
    // One broadcast per run of updates from the same peer (each goes to everyone but its writer).
    for (let start = 0; start < applied.length; ) {
      let end = start + 1;
      while (end < applied.length && applied[end]!.entry.peer === applied[start]!.entry.peer) end += 1;
      const updates = applied.slice(start, end).flatMap((item) => item.emitted);
      if (updates.length > 0) this.publish(room, updates.length === 1 ? updates[0]! : Y.mergeUpdates(updates), applied[start]!.entry.peer);
      start = end;
    }
    for (const [index, item] of applied.entries()) this.options.fanout?.publishUpdate(room.name, appended[index]!.seq, item.entry.update);
    if (room.hasGap) this.scheduleGapCatchUp(room);
    // The hooks read the room as it is now, after the whole batch: a key written again later in
    // the batch is checked once, with its last writer (not once per write of the same final value).
    const later = new Set<string>();
    const seen = applied.map(() => null as KeyChanges | null);
    for (let index = applied.length - 1; index >= 0; index -= 1) {
      const { changes: own } = applied[index]!;
      seen[index] = { upserted: own.upserted.filter((key) => !later.has(key)), deleted: own.deleted };
      for (const key of [...own.upserted, ...own.deleted]) later.add(key);
    }
    for (const [index, item] of applied.entries()) this.hooks?.afterStore(room, seen[index]!, appended[index]!.queued, item.entry.peer);
    if (room.updatesSinceSnapshot >= this.options.compactEvery) void this.compact(room).catch((error: unknown) => this.options.logger.error({ err: error, room: room.name }, 'compaction failed'));
    for (const item of applied) item.entry.resolve(true);
  }

  /** Sends a stored update to the room's peers (all but `except`). */
  publish(room: Room, update: Uint8Array, except?: RoomPeer): void {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE.sync);
    syncProtocol.writeUpdate(encoder, update);
    const sent = room.broadcast(encoding.toUint8Array(encoder), except);
    this.options.metrics.updatesOut.inc(sent);
  }

  /** Stops loading, compacts every loaded room and frees them. */
  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    await Promise.allSettled([...this.loading.values()]);
    await Promise.allSettled([...this.unloading.values()]);
    for (const room of [...this.rooms.values()]) {
      await room.enqueue(() => this.compact(room)).catch((error: unknown) => this.options.logger.error({ err: error, room: room.name }, 'compaction at shutdown failed'));
      this.remove(room);
      this.options.fanout?.releaseCompaction(room.name);
    }
  }
}

/** Runs `fn` in a transaction on `doc` with `origin` and returns the update it produced, if any. */
export function captureUpdate(doc: Y.Doc, origin: unknown, fn: () => void): Uint8Array | null {
  const updates: Uint8Array[] = [];
  const collect = (data: Uint8Array, updateOrigin: unknown) => {
    if (updateOrigin === origin) updates.push(data);
  };
  doc.on('update', collect);
  try {
    doc.transact(fn, origin);
  } finally {
    doc.off('update', collect);
  }
  if (updates.length === 0) return null;
  return updates.length === 1 ? updates[0]! : Y.mergeUpdates(updates);
}

export type { Room, RoomPeer, RoomRef };
