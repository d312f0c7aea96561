/**
 * One room on this device: its Y.Doc, kept durably in RxDB (so offline edits survive a restart),
 * and the stock y-websocket provider that syncs it, extended with Plaza's messages: clock sync,
 * the server's acknowledgement of what it stored (which drives the "N pending" count), room
 * facts and rule-violation reports.
 */
import * as buffer from 'lib0/buffer';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { CLOSE } from '../../../shared/sync/close-codes.ts';
import { AUTH_SUBPROTOCOL_PREFIX, clockSample, encodeTimeRequest, MESSAGE, PLAZA_SUBPROTOCOL, readTimeMessage, SYNC_STEP, type RoomInfo, type ViolationReport } from '../../../shared/sync/protocol.ts';
import { isRoomReadable } from '../../../shared/sync/room-meta.ts';
import type { Access } from '../../../shared/sync/rooms.ts';
import type { YDocRow } from './collections.ts';
import type { PlazaDatabase } from './database.ts';

export const LOAD_ORIGIN = 'plaza-load';
const COMPACT_AFTER_ROWS = 200;
const TIME_EVERY_MS = 10_000;
/**
 * Closes after which connecting again cannot help (`handleTerminalClose` takes over: a new token,
 * "update the app", no access). Every other close is followed by a reconnect with backoff: being
 * dropped as silent (a busy or throttled page), too many messages or connections (the sockets of
 * a killed browser still count for a while) only mean "not now". Treating every 44xx as final,
 * as stock y-websocket clients do, left such a room offline, and the sync status at
 * "connecting", until the browser's next `online` event.
 */
const FINAL_CLOSES: ReadonlySet<number> = new Set([CLOSE.malformed.code, CLOSE.unauthorized.code, CLOSE.forbidden.code, CLOSE.updateTheApp.code]);
/** A Yjs update with no structs and no deletions. */
const EMPTY_UPDATE = new Uint8Array([0, 0]);

export type ReplicaState = 'offline' | 'connecting' | 'synced' | 'forbidden' | 'update-required';

export interface TokenSource {
  /** The current access token, or null when signed out. */
  current(): string | null;
  /**
   * A fresh token after the server refused the current one; null means "sign in again". Throws
   * when the server cannot be reached (the caller retries later).
   */
  refresh(): Promise<string | null>;
}

export interface ReplicaEvents {
  changed(replica: RoomReplica): void;
  clock(sample: { rttMs: number; offsetMs: number }): void;
  violation(report: ViolationReport): void;
  signedOut(): void;
  /** The replica replaced its Y.Doc (see `rebuild`): re-attach whatever observed the old one. */
  rebuilt(replica: RoomReplica): void;
}

export interface RoomReplicaOptions {
  readonly name: string;
  readonly access: Access;
  readonly db: PlazaDatabase;
  /** `ws://host:port/sync` */
  readonly syncUrl: string;
  readonly tokens: TokenSource;
  readonly events: ReplicaEvents;
  readonly WebSocketImpl?: typeof WebSocket;
  readonly now?: () => number;
}

interface PendingMark {
  readonly clientId: number;
  readonly clock: number;
}

export class RoomReplica {
  readonly name: string;
  readonly access: Access;
  doc: Y.Doc;
  provider: WebsocketProvider | null = null;
  state: ReplicaState = 'offline';
  /** The server's live facts about the room; null while not connected (they would be stale). */
  info: RoomInfo | null = null;
  private readonly options: RoomReplicaOptions;
  private readonly now: () => number;
  private pending: PendingMark[] = [];
  private serverState = new Map<number, number>();
  private rowQueue: YDocRow[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private flushScheduled = false;
  private nextSeq = 1;
  private storedRows = 0;
  private timeTimer: ReturnType<typeof setInterval> | null = null;
  private wantConnected = false;
  private destroyed = false;
  private readonly onUpdate = (update: Uint8Array, origin: unknown) => this.persist(update, origin);

  constructor(options: RoomReplicaOptions) {
    this.options = options;
    this.name = options.name;
    this.access = options.access;
    this.now = options.now ?? Date.now;
    this.doc = new Y.Doc();
  }

  /** Local changes the server has not confirmed storing yet. */
  get pendingCount(): number {
    return this.pending.length;
  }

  get readable(): boolean {
    return isRoomReadable(this.doc);
  }

  /** Loads the durable state of the room from RxDB into the Y.Doc. */
  async load(): Promise<void> {
    const rows = await this.options.db.ydocs.find({ selector: { room: this.name }, sort: [{ seq: 'asc' }] }).exec();
    const sync = await this.options.db.kv.findOne(syncStateId(this.name)).exec();
    const serverVector = (sync?.data.serverVector as string | undefined) ?? null;
    if (serverVector) this.serverState = Y.decodeStateVector(buffer.fromBase64(serverVector));
    const updates = rows.map((row) => buffer.fromBase64(row.data));
    if (updates.length > 0) Y.applyUpdate(this.doc, Y.mergeUpdates(updates), LOAD_ORIGIN);
    this.pending = rows.filter((row) => row.local && (this.serverState.get(row.clientId) ?? 0) < row.clock).map((row) => ({ clientId: row.clientId, clock: row.clock }));
    this.nextSeq = (rows.at(-1)?.seq ?? 0) + 1;
    this.storedRows = rows.length;
    this.doc.on('update', this.onUpdate);
  }

  private persist(update: Uint8Array, origin: unknown): void {
    if (origin === LOAD_ORIGIN || this.destroyed) return;
    // Remote changes arrive with the provider as origin; anything else was made on this device.
    const local = this.provider === null || origin !== this.provider;
    const clientId = this.doc.clientID;
    const clock = Y.getState(this.doc.store, clientId);
    if (local) {
      if (this.access !== 'write') {
        // A local write to a room we may only read would never be accepted: start over.
        void this.rebuild('local change to a read-only room');
        return;
      }
      this.pending.push({ clientId, clock });
    }
    this.rowQueue.push({ id: `${this.name}#${this.nextSeq}`, room: this.name, seq: this.nextSeq, kind: 'update', data: buffer.toBase64(update), local, clientId, clock });
    this.nextSeq += 1;
    this.scheduleFlush();
    this.options.events.changed(this);
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    queueMicrotask(() => {
      this.flushScheduled = false;
      this.flushing = this.flushing.then(() => this.flushRows()).catch((error: unknown) => console.error('[plaza] saving a room failed', this.name, error));
    });
  }

  private async flushRows(): Promise<void> {
    const rows = this.rowQueue.splice(0);
    if (rows.length === 0) return;
    await this.options.db.ydocs.bulkInsert(rows);
    this.storedRows += rows.length;
    if (this.storedRows > COMPACT_AFTER_ROWS) await this.compact();
  }

  /** Everything queued is in RxDB. */
  async flush(): Promise<void> {
    this.scheduleFlush();
    await new Promise<void>((resolve) => queueMicrotask(resolve));
    await this.flushing;
  }

  /** Folds the stored rows into one snapshot, keeping local changes not yet acknowledged. */
  private async compact(): Promise<void> {
    const upto = this.nextSeq - 1;
    const snapshot: YDocRow = {
      id: `${this.name}#${upto}s`,
      room: this.name,
      seq: upto,
      kind: 'snapshot',
      data: buffer.toBase64(Y.encodeStateAsUpdate(this.doc)),
      local: false,
      clientId: 0,
      clock: 0,
    };
    const rows = await this.options.db.ydocs.find({ selector: { room: this.name, seq: { $lte: upto } } }).exec();
    const keep = new Set(this.pending.map((mark) => `${mark.clientId}:${mark.clock}`));
    const obsolete = rows.filter((row) => row.id !== snapshot.id && !(row.local && keep.has(`${row.clientId}:${row.clock}`))).map((row) => row.id);
    await this.options.db.ydocs.upsert(snapshot);
    await this.options.db.ydocs.bulkRemove(obsolete);
    this.storedRows = rows.length - obsolete.length + 1;
  }

  connect(): void {
    if (this.destroyed || this.state === 'forbidden' || this.state === 'update-required') return;
    this.wantConnected = true;
    const token = this.options.tokens.current();
    if (token === null) return;
    if (!this.provider) {
      this.provider = new WebsocketProvider(this.options.syncUrl, this.name, this.doc, {
        connect: false,
        disableBc: true,
        protocols: [PLAZA_SUBPROTOCOL, `${AUTH_SUBPROTOCOL_PREFIX}${token}`],
        maxBackoffTime: 10_000,
        ...(this.options.WebSocketImpl ? { WebSocketPolyfill: this.options.WebSocketImpl } : {}),
        shouldReconnect: (event) => !FINAL_CLOSES.has(event.code),
      });
      this.installHandlers(this.provider);
    } else {
      this.provider.protocols = [PLAZA_SUBPROTOCOL, `${AUTH_SUBPROTOCOL_PREFIX}${token}`];
    }
    this.setState('connecting');
    this.provider.connect();
    if (!this.timeTimer) {
      this.timeTimer = setInterval(() => this.sendTimeRequest(), TIME_EVERY_MS);
      (this.timeTimer as { unref?: () => void }).unref?.();
    }
  }

  disconnect(): void {
    this.wantConnected = false;
    this.provider?.disconnect();
    if (this.timeTimer) clearInterval(this.timeTimer);
    this.timeTimer = null;
    if (this.state === 'connecting' || this.state === 'synced') this.setState('offline');
  }

  private installHandlers(provider: WebsocketProvider): void {
    if (this.access !== 'write') {
      /*
       * The stock answer to the server's sync step 1 is everything the server lacks, plus the
       * doc's whole delete set (Yjs always sends that). A doc that ever saw a field overwritten
       * has one, so the server took every reconnect of a read-only replica for a write and the
       * replica threw its state away and downloaded the room again. A reader has nothing the
       * server lacks (a local write rebuilds the replica at once), so it answers with nothing.
       */
      const stockSync = provider.messageHandlers[MESSAGE.sync]!;
      provider.messageHandlers[MESSAGE.sync] = (encoder, decoder, ...rest) => {
        if (decoding.peekVarUint(decoder) !== SYNC_STEP.step1) {
          stockSync(encoder, decoder, ...rest);
          return;
        }
        decoding.readVarUint(decoder);
        decoding.readVarUint8Array(decoder);
        encoding.writeVarUint(encoder, MESSAGE.sync);
        encoding.writeVarUint(encoder, SYNC_STEP.step2);
        encoding.writeVarUint8Array(encoder, EMPTY_UPDATE);
      };
    }
    provider.messageHandlers[MESSAGE.time] = (_encoder, decoder) => {
      const message = readTimeMessage(decoder);
      if (message.kind === 'reply') this.options.events.clock(clockSample(message, this.now()));
      // Answering the server's heartbeat keeps this socket alive on the server's clock: the
      // replica's own timer is held back in a hidden or busy page, and a peer silent for 30 s is dropped.
      else if (message.kind === 'beat') this.sendTimeRequest();
    };
    provider.messageHandlers[MESSAGE.ack] = (_encoder, decoder) => this.acknowledge(decoding.readVarUint8Array(decoder));
    provider.messageHandlers[MESSAGE.roomInfo] = (_encoder, decoder) => {
      this.info = JSON.parse(decoding.readVarString(decoder)) as RoomInfo;
      this.options.events.changed(this);
    };
    provider.messageHandlers[MESSAGE.violation] = (_encoder, decoder) => {
      const report = JSON.parse(decoding.readVarString(decoder)) as ViolationReport;
      this.options.events.violation(report);
      if (report.code === 'read-only') void this.rebuild('the server refused a local change to a read-only room');
    };
    provider.on('sync', (synced: boolean) => {
      if (synced) {
        this.setState('synced');
        this.sendTimeRequest();
      }
    });
    provider.on('status', ({ status }: { status: string }) => {
      if (status === 'connecting' && this.state !== 'synced') this.setState('connecting');
      if (status === 'disconnected') this.info = null;
      if (status === 'disconnected' && this.wantConnected) this.setState('connecting');
    });
    provider.on('closed', (event: { code: number; reason: string }) => void this.handleTerminalClose(event.code));
  }

  private async handleTerminalClose(code: number): Promise<void> {
    if (code === CLOSE.unauthorized.code) {
      let token: string | null;
      try {
        token = await this.options.tokens.refresh();
      } catch {
        // The server could not be reached to refresh: try again later, still signed in.
        this.setState('offline');
        setTimeout(() => {
          if (this.wantConnected) this.connect();
        }, 5000);
        return;
      }
      if (token === null) {
        this.setState('offline');
        this.options.events.signedOut();
        return;
      }
      if (this.wantConnected) this.connect();
      return;
    }
    if (code === CLOSE.updateTheApp.code) this.setState('update-required');
    else if (code === CLOSE.forbidden.code) this.setState('forbidden');
    else this.setState('offline');
  }

  private sendTimeRequest(): void {
    const ws = this.provider?.ws;
    if (ws && this.provider?.wsconnected && ws.readyState === 1) ws.send(encodeTimeRequest(this.now()) as Uint8Array<ArrayBuffer>);
  }

  private acknowledge(stateVector: Uint8Array): void {
    this.serverState = Y.decodeStateVector(stateVector);
    const before = this.pending.length;
    this.pending = this.pending.filter((mark) => (this.serverState.get(mark.clientId) ?? 0) < mark.clock);
    void this.options.db.kv.upsert({ id: syncStateId(this.name), updatedAt: this.now(), data: { serverVector: buffer.toBase64(stateVector) } });
    if (this.pending.length !== before || this.state !== 'synced') this.options.events.changed(this);
  }

  /**
   * Throws the local state away and syncs the room afresh from the server (a read-only room
   * that got a local write, or a room the server asked us to reload).
   */
  async rebuild(reason: string): Promise<void> {
    if (this.destroyed) return;
    console.warn(`[plaza] rebuilding ${this.name}: ${reason}`);
    const reconnect = this.wantConnected;
    this.provider?.destroy();
    this.provider = null;
    this.doc.off('update', this.onUpdate);
    this.doc.destroy();
    const rows = await this.options.db.ydocs.find({ selector: { room: this.name } }).exec();
    await this.options.db.ydocs.bulkRemove(rows.map((row) => row.id));
    this.doc = new Y.Doc();
    this.pending = [];
    this.storedRows = 0;
    this.doc.on('update', this.onUpdate);
    this.options.events.rebuilt(this);
    this.options.events.changed(this);
    if (reconnect) this.connect();
  }

  private setState(state: ReplicaState): void {
    if (this.state === state) return;
    this.state = state;
    this.options.events.changed(this);
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    await this.flush();
    this.destroyed = true;
    this.disconnect();
    this.provider?.destroy();
    this.provider = null;
    this.doc.off('update', this.onUpdate);
    this.doc.destroy();
  }
}

export function syncStateId(room: string): string {
  return `sync:${room}`;
}
