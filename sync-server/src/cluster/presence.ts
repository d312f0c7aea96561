/**
 * Who is connected where, across processes: referees ask "is this player connected to this game?"
 * and "what is their round-trip time?" whichever process holds their queue. Each process sends
 * deltas as its users come and go, and a full snapshot on every heartbeat; a process whose
 * snapshot is older than `staleAfterMs` (it died) counts no more.
 */

export interface LocalPresence {
  isConnected(room: string, user: string): boolean;
  rttOf(tenant: string, user: string): number | null;
}

interface RemoteView {
  at: number;
  readonly entries: Set<string>;
  readonly rtts: Map<string, number>;
}

const pair = (a: string, b: string) => `${a}\u0000${b}`;

export class PresenceBoard {
  private readonly processId: string;
  private readonly staleAfterMs: number;
  private readonly publish: (message: { type: 'presence'; room: string; user: string; connected: boolean } | { type: 'presence-snapshot'; entries: Array<[string, string]>; rtts: Array<[string, string, number]> }) => void;
  private readonly local = new Map<string, { room: string; user: string; tenant: string }>();
  private readonly remote = new Map<string, RemoteView>();
  private source: LocalPresence | null = null;

  constructor(options: { processId: string; staleAfterMs: number; publish: PresenceBoard['publish'] }) {
    this.processId = options.processId;
    this.staleAfterMs = options.staleAfterMs;
    this.publish = options.publish;
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
    if (connected) view.entries.add(pair(room, user));
    else view.entries.delete(pair(room, user));
  }

  remoteSnapshot(from: string, entries: ReadonlyArray<readonly [string, string]>, rtts: ReadonlyArray<readonly [string, string, number]>): void {
    if (from === this.processId) return;
    const view: RemoteView = { at: Date.now(), entries: new Set(entries.map(([room, user]) => pair(room, user))), rtts: new Map(rtts.map(([tenant, user, rtt]) => [pair(tenant, user), rtt])) };
    this.remote.set(from, view);
  }

  private view(from: string): RemoteView {
    let view = this.remote.get(from);
    if (!view) {
      view = { at: Date.now(), entries: new Set(), rtts: new Map() };
      this.remote.set(from, view);
    }
    return view;
  }

  private fresh(): RemoteView[] {
    const since = Date.now() - this.staleAfterMs;
    const views: RemoteView[] = [];
    for (const [id, view] of this.remote) {
      if (view.at < since) this.remote.delete(id);
      else views.push(view);
    }
    return views;
  }

  isConnected(room: string, user: string): boolean {
    if (this.source?.isConnected(room, user)) return true;
    const key = pair(room, user);
    return this.fresh().some((view) => view.entries.has(key));
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
