/**
 * The client sync engine: the rooms this device has open, their projections into RxDB, the
 * network state (disconnect on `offline`, reconnect on `online`), the session token, and the
 * sync status the UI shows: offline / connecting / synced / N local changes not yet stored.
 */
import { BehaviorSubject } from 'rxjs';
import type { ViolationReport } from '../../../shared/sync/protocol.ts';
import { parseRoomName, roomAccess, roomNames, type Access, type Principal, type RoomRef } from '../../../shared/sync/rooms.ts';
import type { PlazaDatabase } from './database.ts';
import { IntentClient } from './intent-client.ts';
import { attachProjection, ProjectionSink, type HiddenRecord, type Projection } from './projection.ts';
import { RoomReplica, type TokenSource } from './room-replica.ts';

export type SyncStatus =
  | { readonly kind: 'offline' }
  | { readonly kind: 'connecting' }
  | { readonly kind: 'synced' }
  | { readonly kind: 'pending'; readonly count: number };

export interface NetworkState {
  online(): boolean;
  subscribe(listener: (online: boolean) => void): () => void;
}

/** The browser's idea of the network: `navigator.onLine` and the online/offline events. */
export function browserNetwork(target: Window): NetworkState {
  return {
    online: () => target.navigator.onLine,
    subscribe: (listener) => {
      const online = () => listener(true);
      const offline = () => listener(false);
      target.addEventListener('online', online);
      target.addEventListener('offline', offline);
      return () => {
        target.removeEventListener('online', online);
        target.removeEventListener('offline', offline);
      };
    },
  };
}

export interface SyncClientOptions {
  /** The server's http(s) origin. */
  readonly serverUrl: string;
  readonly principal: Principal;
  readonly db: PlazaDatabase;
  readonly tokens: TokenSource;
  readonly network: NetworkState;
  readonly WebSocketImpl?: typeof WebSocket;
  readonly now?: () => number;
  readonly onSignedOut?: () => void;
  /** Projections attached to a room when `open` is not given any (see projections/index.ts). */
  readonly projectionsFor?: (room: RoomRef) => Projection[];
}

interface OpenRoom {
  readonly replica: RoomReplica;
  readonly ref: RoomRef;
  readonly projections: Projection[];
  detachers: Array<() => void>;
  users: number;
}

export class SyncClient {
  readonly status$ = new BehaviorSubject<SyncStatus>({ kind: 'connecting' });
  readonly hidden$ = new BehaviorSubject<readonly HiddenRecord[]>([]);
  readonly violations$ = new BehaviorSubject<readonly ViolationReport[]>([]);
  /** Offset to add to local time to get the server's, and the last round trip (ms). */
  readonly clock$ = new BehaviorSubject<{ offsetMs: number; rttMs: number } | null>(null);
  readonly intents: IntentClient;
  readonly sink: ProjectionSink;
  readonly options: SyncClientOptions;
  private readonly rooms = new Map<string, OpenRoom>();
  private readonly opening = new Map<string, Promise<RoomReplica>>();
  private online: boolean;
  private readonly unsubscribeNetwork: () => void;
  private closed = false;

  constructor(options: SyncClientOptions) {
    this.options = options;
    this.intents = new IntentClient(options.db, options.now ?? Date.now);
    this.sink = new ProjectionSink(options.db);
    this.sink.onHidden = () => this.hidden$.next([...this.sink.hidden.values()]);
    this.online = options.network.online();
    this.unsubscribeNetwork = options.network.subscribe((online) => this.setOnline(online));
    this.updateStatus();
  }

  get principal(): Principal {
    return this.options.principal;
  }

  get syncUrl(): string {
    return `${this.options.serverUrl.replace(/^http/, 'ws').replace(/\/$/, '')}/sync`;
  }

  /** Server time now, from the clock offset measured by Plaza's time messages. */
  serverNow(): number {
    return (this.options.now ?? Date.now)() + (this.clock$.value?.offsetMs ?? 0);
  }

  accessTo(room: RoomRef): Access {
    // The server decides for real; this only tells the client whether writing makes sense.
    return roomAccess(room, this.options.principal, { guestsMayBrowse: true }, { isPlayer: true });
  }

  /**
   * Opens a room (loads it from RxDB, projects it, connects when online). Opening the same room
   * twice shares it; every `open` needs a matching `release`.
   */
  async open(name: string, projections?: readonly Projection[]): Promise<RoomReplica> {
    const existing = this.rooms.get(name);
    if (existing) {
      existing.users += 1;
      return existing.replica;
    }
    const pending = this.opening.get(name);
    if (pending) {
      const replica = await pending;
      this.rooms.get(name)!.users += 1;
      return replica;
    }
    const opening = this.openFresh(name, projections);
    this.opening.set(name, opening);
    try {
      return await opening;
    } finally {
      this.opening.delete(name);
    }
  }

  private async openFresh(name: string, given: readonly Projection[] | undefined): Promise<RoomReplica> {
    const parsed = parseRoomName(name);
    if (!parsed.ok) throw new Error(`not a room: ${name}`);
    const projections = given ?? this.options.projectionsFor?.(parsed.value) ?? [];
    const access = this.accessTo(parsed.value);
    if (access === 'none') throw new Error(`no access to ${name}`);
    const replica = new RoomReplica({
      name,
      access,
      db: this.options.db,
      syncUrl: this.syncUrl,
      tokens: this.options.tokens,
      ...(this.options.WebSocketImpl ? { WebSocketImpl: this.options.WebSocketImpl } : {}),
      ...(this.options.now ? { now: this.options.now } : {}),
      events: {
        changed: () => this.updateStatus(),
        clock: (sample) => this.clock$.next(sample),
        violation: (report) => this.violations$.next([...this.violations$.value, report].slice(-50)),
        signedOut: () => this.options.onSignedOut?.(),
        rebuilt: (rebuilt) => this.attach(this.rooms.get(rebuilt.name)),
      },
    });
    await replica.load();
    const open: OpenRoom = { replica, ref: parsed.value, projections: [...projections], detachers: [], users: 1 };
    this.rooms.set(name, open);
    this.attach(open);
    if (this.online && !this.closed) replica.connect();
    this.updateStatus();
    return replica;
  }

  private attach(open: OpenRoom | undefined): void {
    if (!open) return;
    for (const detach of open.detachers) detach();
    const { replica, ref } = open;
    open.detachers = open.projections.map((projection) => attachProjection(this.options.db, this.sink, replica.doc, ref, replica.name, projection));
    if (ref.kind === 'outbox') open.detachers.push(this.intents.attachOutbox(replica.doc));
    if (ref.kind === 'inbox' || ref.kind === 'history') open.detachers.push(this.intents.attachDecisions(replica.doc));
  }

  /** Opens the rooms every signed-in user needs: their own room, outbox and inbox. */
  async openPersonalRooms(): Promise<void> {
    const { tenant, user } = this.options.principal;
    await Promise.all([this.open(roomNames.user(tenant, user)), this.open(roomNames.outbox(tenant, user)), this.open(roomNames.inbox(tenant, user))]);
  }

  replica(name: string): RoomReplica | undefined {
    return this.rooms.get(name)?.replica;
  }

  async release(name: string): Promise<void> {
    const open = this.rooms.get(name);
    if (!open) return;
    open.users -= 1;
    if (open.users > 0) return;
    this.rooms.delete(name);
    for (const detach of open.detachers) detach();
    await open.replica.destroy();
    this.updateStatus();
  }

  private setOnline(online: boolean): void {
    if (this.online === online) return;
    this.online = online;
    for (const { replica } of this.rooms.values()) {
      if (online) replica.connect();
      else replica.disconnect();
    }
    this.updateStatus();
  }

  /** Reconnects every room (after a new token, say). */
  reconnectAll(): void {
    if (!this.online) return;
    for (const { replica } of this.rooms.values()) replica.connect();
  }

  private updateStatus(): void {
    let next: SyncStatus;
    const replicas = [...this.rooms.values()].map((open) => open.replica);
    const pending = replicas.reduce((sum, replica) => sum + replica.pendingCount, 0);
    if (!this.online) next = { kind: 'offline' };
    else if (replicas.some((replica) => replica.state === 'connecting' || replica.state === 'offline')) next = { kind: 'connecting' };
    else if (pending > 0) next = { kind: 'pending', count: pending };
    else next = { kind: 'synced' };
    const current = this.status$.value;
    if (current.kind !== next.kind || (current.kind === 'pending' && next.kind === 'pending' && current.count !== next.count)) this.status$.next(next);
  }

  /** Local changes (across all rooms) not yet confirmed by the server. */
  get pendingCount(): number {
    return [...this.rooms.values()].reduce((sum, open) => sum + open.replica.pendingCount, 0);
  }

  async settled(): Promise<void> {
    await Promise.all([...this.rooms.values()].map((open) => open.replica.flush()));
    await this.sink.settled();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribeNetwork();
    for (const name of [...this.rooms.keys()]) {
      // A component may have released this room while an earlier one was being closed.
      const open = this.rooms.get(name);
      if (!open) continue;
      open.users = 1;
      await this.release(name);
    }
    await this.sink.settled();
  }
}
