/**
 * Who is connected where, across processes: referees ask "is this player connected to this game?"
 * and "what is their round-trip time?" whichever process holds their queue, and a room's viewer
 * count takes in the people connected to it through other processes. Each process sends deltas
 * as its users come and go, and a full snapshot on every heartbeat; a process whose snapshot is
 * older than `staleAfterMs` (it died) counts no more. What travels is (room, user) pairs, not
 * sockets: another process's connection count is not known here.
 */

export interface LocalPresence {
  isConnected(room: string, user: string): boolean;
  rttOf(tenant: string, user: string): number | null;
}

interface RemoteView {
  at: number;
  /** Room name → users connected to it through that process. */
  readonly rooms: Map<string, Set<string>>;
  readonly rtts: Map<string, number>;
}

const pair = (a: string, b: string) => `${a}\u0000${b}`;

function roomsOf(entries: ReadonlyArray<readonly [string, string]>): Map<string, Set<string>> {
  const rooms = new Map<string, Set<string>>();
  for (const [room, user] of entries) {
    let users = rooms.get(room);
    if (!users) {
      users = new Set();
      rooms.set(room, users);
    }
    users.add(user);
  }
  return rooms;
}

/** Rooms whose users differ between two views of one process. */
function changedRooms(before: ReadonlyMap<string, ReadonlySet<string>>, after: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const changed: string[] = [];
  for (const [room, users] of after) {
    const old = before.get(room);
    if (!old || old.size !== users.size || [...users].some((user) => !old.has(user))) changed.push(room);
  }
  for (const room of before.keys()) if (!after.has(room)) changed.push(room);
  return changed;
}

export class PresenceBoard {
  private readonly processId: string;
  private readonly staleAfterMs: number;
  private readonly publish: (message: { type: 'presence'; room: string; user: string; connected: boolean } | { type: 'presence-snapshot'; entries: Array<[string, string]>; rtts: Array<[string, string, number]> }) => void;
  private readonly local = new Map<string, { room: string; user: string; tenant: string }>();
  private readonly remote = new Map<string, RemoteView>();
  private readonly now: () => number;
  private source: LocalPresence | null = null;
  private roomListener: ((room: string) => void) | null = null;

  constructor(options: { processId: string; staleAfterMs: number; publish: PresenceBoard['publish']; now?: () => number }) {
    this.processId = options.processId;
    this.staleAfterMs = options.staleAfterMs;
    this.publish = options.publish;
    this.now = options.now ?? Date.now;
  }

  /** Called with a room's name when the people connected to it elsewhere may have changed. */
  onRemoteRoomChanged(listener: (room: string) => void): void {
    this.roomListener = listener;
  }

  attach(source: LocalPresence): void {
    this.source = source;
  }

  /** A user's first connection to a room here opened, or their last one closed. */
  localChanged(tenant: string, room: string, user: string, connected: boolean): void {
    if (connected) this.local.set(pair(room, user), { room, user, tenant });
    else this.local.delete(pair(room, user));
    this.publish({ type: 'presence', room, user, connected });
  }

  publishSnapshot(): void {
    const rtts: Array<[string, string, number]> = [];
    const seen = new Set<string>();
    for (const { tenant, user } of this.local.values()) {
      const key = pair(tenant, user);
      if (seen.has(key)) continue;
      seen.add(key);
      const rtt = this.source?.rttOf(tenant, user) ?? null;
      if (rtt !== null) rtts.push([tenant, user, rtt]);
    }
    this.publish({ type: 'presence-snapshot', entries: [...this.local.values()].map(({ room, user }) => [room, user]), rtts });
  }

  remoteDelta(from: string, room: string, user: string, connected: boolean): void {
    if (from === this.processId) return;
    const view = this.view(from);
    const users = view.rooms.get(room);
    if (connected) {
      if (users?.has(user)) return;
      if (users) users.add(user);
      else view.rooms.set(room, new Set([user]));
    } else {
      if (!users?.delete(user)) return;
      if (users.size === 0) view.rooms.delete(room);
    }
    this.roomListener?.(room);
  }

  remoteSnapshot(from: string, entries: ReadonlyArray<readonly [string, string]>, rtts: ReadonlyArray<readonly [string, string, number]>): void {
    if (from === this.processId) return;
    const view: RemoteView = { at: this.now(), rooms: roomsOf(entries), rtts: new Map(rtts.map(([tenant, user, rtt]) => [pair(tenant, user), rtt])) };
    // A process that was already stale counted for nothing: all its rooms are news.
    const before = this.remote.get(from);
    const counted = before && before.at >= this.now() - this.staleAfterMs ? before.rooms : new Map<string, Set<string>>();
    this.remote.set(from, view);
    for (const room of changedRooms(counted, view.rooms)) this.roomListener?.(room);
  }

  /** A process that left: it counts no more, without waiting for it to go stale. */
  remoteGone(from: string): void {
    if (from === this.processId) return;
    const view = this.remote.get(from);
    if (!view) return;
    this.remote.delete(from);
    for (const room of view.rooms.keys()) this.roomListener?.(room);
  }

  /** Drops processes that went stale and reports their rooms; run on every heartbeat. */
  sweep(): void {
    this.fresh();
  }

  /** Users connected to a room through other live processes (not this one's). */
  remoteUsersIn(room: string): Set<string> {
    const users = new Set<string>();
    for (const view of this.fresh()) for (const user of view.rooms.get(room) ?? []) users.add(user);
    return users;
  }

  private view(from: string): RemoteView {
    let view = this.remote.get(from);
    if (!view) {
      view = { at: this.now(), rooms: new Map(), rtts: new Map() };
      this.remote.set(from, view);
    }
    return view;
  }

  private fresh(): RemoteView[] {
    const since = this.now() - this.staleAfterMs;
    const views: RemoteView[] = [];
    for (const [id, view] of this.remote) {
      if (view.at >= since) {
        views.push(view);
        continue;
      }
      this.remote.delete(id);
      for (const room of view.rooms.keys()) this.roomListener?.(room);
    }
    return views;
  }

  isConnected(room: string, user: string): boolean {
    if (this.source?.isConnected(room, user)) return true;
    return this.fresh().some((view) => view.rooms.get(room)?.has(user) === true);
  }

  rttOf(tenant: string, user: string): number | null {
    const local = this.source?.rttOf(tenant, user) ?? null;
    if (local !== null) return local;
    const key = pair(tenant, user);
    for (const view of this.fresh()) {
      const rtt = view.rtts.get(key);
      if (rtt !== undefined) return rtt;
    }
    return null;
  }
}
