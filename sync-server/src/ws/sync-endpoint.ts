/**
 * The WebSocket side of the server: authenticates each upgrade (token in
 * `Sec-WebSocket-Protocol`, or `?token=` for stock clients), checks the room against the access
 * table before any byte of it is sent, enforces connection limits, keeps connections alive with
 * heartbeats, drops silent peers, and closes or downgrades connections when access changes.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { CLOSE } from '../../../shared/sync/close-codes.ts';
import {
  AUTH_SUBPROTOCOL_PREFIX,
  EMPTY_AWARENESS_HEARTBEAT,
  encodeTimeBeat,
  PLAZA_SUBPROTOCOL,
  PLAZA_SUBPROTOCOL_PREFIX,
} from '../../../shared/sync/protocol.ts';
import { parseRoomName, roomAccess, type AccessFacts, type Principal, type RoomRef } from '../../../shared/sync/rooms.ts';
import type { Directory } from '../auth/directory.ts';
import type { AccessClaims, TokenService } from '../auth/tokens.ts';
import { redactUrl, type Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { Room } from '../rooms/room.ts';
import type { RoomManager } from '../rooms/room-manager.ts';
import { Connection, type ConnectionLimits } from './connection.ts';
import { roomCounts } from './room-counts.ts';

export const SYNC_PATH_PREFIX = '/sync/';

export interface SyncEndpointOptions extends ConnectionLimits {
  readonly maxMessageBytes: number;
  readonly maxConnectionsPerUser: number;
  readonly maxConnectionsPerIp: number;
  readonly heartbeatMs: number;
  readonly silentTimeoutMs: number;
}

export interface SyncEndpointDeps {
  readonly rooms: RoomManager;
  readonly tokens: TokenService;
  readonly directory: Directory;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly now: () => number;
  /** Facts the access table needs beyond the token (e.g. whether a user plays a game). */
  accessFacts(room: RoomRef, principal: Principal): Promise<AccessFacts>;
  /** Whether a verified token's login is still live (not signed out, not revoked). */
  acceptsClaims?(claims: AccessClaims): Promise<boolean>;
  /** A user's first connection to a room opened, or their last closed. */
  onPresence?(event: { tenant: string; user: string; roomName: string; connected: boolean }): void;
  /** Cluster mode: the users connected to a room through other live processes (they count as people in it). */
  usersElsewhere?(roomName: string): Iterable<string>;
}

function reject(socket: Duplex, status: number, message: string): void {
  socket.write(`HTTP/1.1 ${status} ${message}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(message)}\r\n\r\n${message}`);
  socket.destroy();
}

export class SyncEndpoint {
  private readonly wss: WebSocketServer;
  private readonly options: SyncEndpointOptions;
  private readonly deps: SyncEndpointDeps;
  private readonly connections = new Set<Connection>();
  private readonly perIp = new Map<string, number>();
  private readonly perUser = new Map<string, number>();
  private readonly awarenessOwners = new WeakMap<Room, Map<number, string>>();
  private readonly roomInfoTimers = new Map<Room, ReturnType<typeof setTimeout>>();
  private readonly timers: Array<ReturnType<typeof setInterval>> = [];
  private closing = false;

  constructor(options: SyncEndpointOptions, deps: SyncEndpointDeps) {
    this.options = options;
    this.deps = deps;
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxMessageBytes,
      perMessageDeflate: false,
      handleProtocols: (protocols) => {
        if (protocols.has(PLAZA_SUBPROTOCOL)) return PLAZA_SUBPROTOCOL;
        // Echo another Plaza version so that its client sees our "update the app" close code.
        return [...protocols].find((value) => value.startsWith(PLAZA_SUBPROTOCOL_PREFIX)) ?? false;
      },
    });
    this.timers.push(setInterval(() => this.heartbeat(), options.heartbeatMs));
    this.timers.push(setInterval(() => this.dropSilentPeers(), Math.max(250, Math.min(5000, options.silentTimeoutMs / 4))));
    for (const timer of this.timers) timer.unref();
    deps.directory.on('membership-changed', (change) => void this.reconsider(change.tenant, change.user));
    deps.directory.on('session-revoked', ({ session }) => {
      for (const connection of this.connections) if (connection.claims.session === session) connection.close(CLOSE.unauthorized.code, 'signed out');
    });
    deps.directory.on('user-deleted', ({ user }) => {
      for (const connection of this.connections) if (connection.user === user) connection.close(CLOSE.unauthorized.code, 'account deleted');
    });
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Round-trip time of a user's freshest connection in a tenant, measured by WebSocket pings. */
  rttOf(tenant: string, user: string): number | null {
    let best: number | null = null;
    for (const connection of this.connections) {
      if (connection.tenant === tenant && connection.user === user && connection.rttMs !== null) best = best === null ? connection.rttMs : Math.min(best, connection.rttMs);
    }
    return best;
  }

  /** Whether a user currently has any connection to a room (presence for disconnect timers). */
  isConnected(roomName: string, user: string): boolean {
    for (const connection of this.connections) if (connection.roomName === roomName && connection.user === user) return true;
    return false;
  }

  connectionsOf(tenant: string, user: string): Connection[] {
    return [...this.connections].filter((connection) => connection.tenant === tenant && connection.user === user);
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = request.url ?? '';
    if (!url.startsWith(SYNC_PATH_PREFIX)) {
      reject(socket, 404, 'Not Found');
      return;
    }
    if (this.closing) {
      reject(socket, 503, 'Service Unavailable');
      return;
    }
    const ip = request.socket.remoteAddress ?? 'unknown';
    if ((this.perIp.get(ip) ?? 0) >= this.options.maxConnectionsPerIp) {
      reject(socket, 429, 'Too Many Requests');
      return;
    }
    void this.authenticate(request, url, ip).then(
      (verdict) => {
        if (socket.destroyed) return;
        this.wss.handleUpgrade(request, socket, head, (ws) => this.accept(ws, verdict, ip));
      },
      (error: unknown) => {
        this.deps.logger.error({ err: error, url: redactUrl(url) }, 'upgrade failed');
        reject(socket, 500, 'Internal Server Error');
      },
    );
  }

  private async authenticate(request: IncomingMessage, url: string, ip: string): Promise<Verdict> {
    const parsedUrl = new URL(url, 'http://localhost');
    const roomName = decodeURIComponent(parsedUrl.pathname.slice(SYNC_PATH_PREFIX.length));
    const offered = (request.headers['sec-websocket-protocol'] ?? '').split(',').map((value) => value.trim()).filter(Boolean);
    const isPlaza = offered.includes(PLAZA_SUBPROTOCOL);
    if (!isPlaza && offered.some((value) => value.startsWith(PLAZA_SUBPROTOCOL_PREFIX))) {
      return { kind: 'refuse', close: CLOSE.updateTheApp, isPlaza: false };
    }
    const token = offered.find((value) => value.startsWith(AUTH_SUBPROTOCOL_PREFIX))?.slice(AUTH_SUBPROTOCOL_PREFIX.length) ?? parsedUrl.searchParams.get('token');
    const verified = await this.deps.tokens.verify(token, this.deps.now());
    if (!verified.ok) {
      this.deps.logger.info({ url: redactUrl(url), ip, problem: verified.error.code }, 'connection refused: token');
      return { kind: 'refuse', close: CLOSE.unauthorized, isPlaza };
    }
    const claims = verified.value;
    if (this.deps.acceptsClaims && !(await this.deps.acceptsClaims(claims))) {
      this.deps.logger.info({ url: redactUrl(url), ip }, 'connection refused: signed out');
      return { kind: 'refuse', close: CLOSE.unauthorized, isPlaza };
    }
    const access = await this.decideAccess(roomName, claims);
    if (access.access === 'none') {
      // One answer for "no such room" and "not yours".
      this.deps.logger.info({ room: roomName.slice(0, 256), user: claims.user, tenant: claims.tenant }, 'connection refused: room');
      return { kind: 'refuse', close: CLOSE.forbidden, isPlaza };
    }
    const userKey = `${claims.tenant}\u0000${claims.user}`;
    if ((this.perUser.get(userKey) ?? 0) >= this.options.maxConnectionsPerUser) {
      return { kind: 'refuse', close: CLOSE.tooManyConnections, isPlaza };
    }
    return { kind: 'accept', claims: { ...claims, role: access.role }, roomName, access: access.access, isPlaza };
  }

  /** Access to a room for these claims, with the membership re-checked (not just the token's). */
  private async decideAccess(roomName: string, claims: AccessClaims): Promise<{ access: 'read' | 'write' | 'none'; role: AccessClaims['role'] }> {
    const parsed = parseRoomName(roomName);
    if (!parsed.ok) return { access: 'none', role: claims.role };
    const role = await this.deps.directory.role(claims.tenant, claims.user);
    const tenant = await this.deps.directory.tenant(claims.tenant);
    if (role === null || tenant === null) return { access: 'none', role: claims.role };
    const principal: Principal = { tenant: claims.tenant, user: claims.user, role };
    const facts = parsed.value.kind === 'chess-players' ? await this.deps.accessFacts(parsed.value, principal) : {};
    return { access: roomAccess(parsed.value, principal, tenant.policy, facts), role };
  }

  private accept(ws: WebSocket, verdict: Verdict, ip: string): void {
    if (verdict.kind === 'refuse') {
      this.deps.metrics.closes.inc({ code: String(verdict.close.code) });
      ws.close(verdict.close.code, verdict.close.reason);
      setTimeout(() => ws.terminate(), 2000).unref();
      return;
    }
    const connection = new Connection({
      ws,
      claims: verdict.claims,
      roomName: verdict.roomName,
      access: verdict.access,
      isPlaza: verdict.isPlaza,
      ip,
      context: {
        rooms: this.deps.rooms,
        metrics: this.deps.metrics,
        logger: this.deps.logger,
        limits: this.options,
        now: this.deps.now,
        awarenessOwners: (room) => {
          let owners = this.awarenessOwners.get(room);
          if (!owners) {
            owners = new Map();
            this.awarenessOwners.set(room, owners);
          }
          return owners;
        },
        onClosed: (closed) => this.forget(closed),
        onRoomPeersChanged: (room) => this.roomPeersChanged(room),
      },
    });
    this.connections.add(connection);
    const userKey = `${connection.tenant}\u0000${connection.user}`;
    this.perUser.set(userKey, (this.perUser.get(userKey) ?? 0) + 1);
    this.perIp.set(ip, (this.perIp.get(ip) ?? 0) + 1);
    this.deps.metrics.connections.inc({ client: connection.isPlaza ? 'plaza' : 'stock' });
    const first = [...this.connections].filter((other) => other.roomName === connection.roomName && other.user === connection.user).length === 1;
    if (first) this.deps.onPresence?.({ tenant: connection.tenant, user: connection.user, roomName: connection.roomName, connected: true });
    void connection.start();
  }

  private forget(connection: Connection): void {
    if (!this.connections.delete(connection)) return;
    const userKey = `${connection.tenant}\u0000${connection.user}`;
    decrement(this.perUser, userKey);
    decrement(this.perIp, connection.ip);
    this.deps.metrics.connections.dec({ client: connection.isPlaza ? 'plaza' : 'stock' });
    if (!this.closing && !this.isConnected(connection.roomName, connection.user)) {
      this.deps.onPresence?.({ tenant: connection.tenant, user: connection.user, roomName: connection.roomName, connected: false });
    }
  }

  private roomPeersChanged(room: Room): void {
    if (this.roomInfoTimers.has(room)) return;
    this.roomInfoTimers.set(
      room,
      setTimeout(() => {
        this.roomInfoTimers.delete(room);
        if (room.destroyed) return;
        const peers = [...room.peers] as Connection[];
        // People, not sockets: a player with a second tab open is not a spectator.
        const counts = roomCounts(peers, this.deps.usersElsewhere?.(room.name));
        for (const peer of peers) peer.sendRoomInfo?.(counts);
      }, 50),
    );
  }

  /** People came or went through another process: this process's peers of the room hear the new count. */
  peersElsewhereChanged(roomName: string): void {
    const room = this.deps.rooms.loaded(roomName);
    if (room && !room.destroyed && room.peers.size > 0) this.roomPeersChanged(room);
  }

  /** Re-evaluates a user's open connections after their membership changed. */
  private async reconsider(tenant: string, user: string): Promise<void> {
    for (const connection of this.connectionsOf(tenant, user)) {
      const { access } = await this.decideAccess(connection.roomName, connection.claims);
      if (access === 'none') connection.close(CLOSE.forbidden.code, 'access removed');
      else if (access !== connection.access) connection.close(CLOSE.permissionsChanged.code, CLOSE.permissionsChanged.reason);
    }
  }

  private heartbeat(): void {
    const now = this.deps.now();
    const beat = encodeTimeBeat(now);
    for (const connection of this.connections) {
      connection.send(connection.isPlaza ? beat : EMPTY_AWARENESS_HEARTBEAT);
      connection.ping(now);
    }
  }

  private dropSilentPeers(): void {
    const now = this.deps.now();
    for (const connection of this.connections) {
      if (now - connection.lastMessageAt > this.options.silentTimeoutMs) connection.close(CLOSE.timeout.code, CLOSE.timeout.reason);
    }
  }

  /** Stops accepting and closes every connection with "going away". */
  close(): void {
    this.closing = true;
    for (const timer of this.timers) clearInterval(timer);
    for (const timer of this.roomInfoTimers.values()) clearTimeout(timer);
    for (const connection of [...this.connections]) connection.close(CLOSE.goingAway.code, CLOSE.goingAway.reason);
    this.wss.close();
  }
}

type Verdict =
  | { readonly kind: 'refuse'; readonly close: { readonly code: number; readonly reason: string }; readonly isPlaza: boolean }
  | { readonly kind: 'accept'; readonly claims: AccessClaims; readonly roomName: string; readonly access: 'read' | 'write'; readonly isPlaza: boolean };

function decrement(map: Map<string, number>, key: string): void {
  const value = (map.get(key) ?? 1) - 1;
  if (value <= 0) map.delete(key);
  else map.set(key, value);
}
