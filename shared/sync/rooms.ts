/**
 * Room names and the access table of DESIGN.md. Deny by default: a name that does not parse, a
 * kind not in the table, another tenant or another user's room all get `none`, and the server
 * answers "missing" and "forbidden" the same way.
 */
import { fail, ok, type DomainError, type Result } from '../domain/result.ts';

export const ROLES = ['owner', 'admin', 'member', 'guest'] as const;
export type Role = (typeof ROLES)[number];

export function isTenantAdmin(role: Role): boolean {
  return role === 'owner' || role === 'admin';
}

export function isMember(role: Role): boolean {
  return role !== 'guest';
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

export type RoomRef =
  | { readonly kind: 'catalog'; readonly tenant: string }
  | { readonly kind: 'stock'; readonly tenant: string }
  | { readonly kind: 'orders'; readonly tenant: string; readonly month: string | null }
  | { readonly kind: 'lobby'; readonly tenant: string }
  | { readonly kind: 'chess-game'; readonly tenant: string; readonly game: string }
  | { readonly kind: 'chess-players'; readonly tenant: string; readonly game: string }
  | { readonly kind: 'markets'; readonly tenant: string }
  | { readonly kind: 'market'; readonly tenant: string; readonly market: string }
  | { readonly kind: 'market-trades'; readonly tenant: string; readonly market: string; readonly month: string }
  | { readonly kind: 'standings'; readonly tenant: string; readonly board: 'chess' | 'markets' }
  | { readonly kind: 'user'; readonly tenant: string; readonly user: string }
  | { readonly kind: 'outbox'; readonly tenant: string; readonly user: string }
  | { readonly kind: 'chat'; readonly tenant: string; readonly user: string; readonly thread: string }
  | { readonly kind: 'inbox'; readonly tenant: string; readonly user: string }
  | { readonly kind: 'history'; readonly tenant: string; readonly user: string; readonly month: string };

export type RoomKind = RoomRef['kind'];
export type RoomNameError = DomainError<'bad-room-name'>;

const MAX_ROOM_NAME = 256;

export function parseRoomName(name: string): Result<RoomRef, RoomNameError> {
  const bad = fail('bad-room-name', 'no such room');
  if (name.length === 0 || name.length > MAX_ROOM_NAME) return bad;
  const parts = name.split('/');
  if (parts[0] !== 't' || parts.length < 3) return bad;
  const tenant = parts[1] ?? '';
  if (!ID.test(tenant)) return bad;
  const rest = parts.slice(2);
  const [a, b, c, d] = rest;
  const id = (value: string | undefined): value is string => value !== undefined && ID.test(value);
  const month = (value: string | undefined): value is string => value !== undefined && MONTH.test(value);
  switch (rest.length) {
    case 1:
      if (a === 'catalog') return ok({ kind: 'catalog', tenant });
      if (a === 'stock') return ok({ kind: 'stock', tenant });
      if (a === 'orders') return ok({ kind: 'orders', tenant, month: null });
      if (a === 'lobby') return ok({ kind: 'lobby', tenant });
      if (a === 'markets') return ok({ kind: 'markets', tenant });
      return bad;
    case 2:
      if (a === 'orders' && month(b)) return ok({ kind: 'orders', tenant, month: b });
      if (a === 'chess' && id(b)) return ok({ kind: 'chess-game', tenant, game: b });
      if (a === 'market' && id(b)) return ok({ kind: 'market', tenant, market: b });
      if (a === 'standings' && (b === 'chess' || b === 'markets')) return ok({ kind: 'standings', tenant, board: b });
      if (a === 'u' && id(b)) return ok({ kind: 'user', tenant, user: b });
      return bad;
    case 3:
      if (a === 'chess' && id(b) && c === 'players') return ok({ kind: 'chess-players', tenant, game: b });
      if (a === 'u' && id(b) && c === 'outbox') return ok({ kind: 'outbox', tenant, user: b });
      if (a === 'u' && id(b) && c === 'inbox') return ok({ kind: 'inbox', tenant, user: b });
      return bad;
    case 4:
      if (a === 'market' && id(b) && c === 'trades' && month(d)) return ok({ kind: 'market-trades', tenant, market: b, month: d });
      if (a === 'u' && id(b) && c === 'chat' && id(d)) return ok({ kind: 'chat', tenant, user: b, thread: d });
      if (a === 'u' && id(b) && c === 'history' && month(d)) return ok({ kind: 'history', tenant, user: b, month: d });
      return bad;
    default:
      return bad;
  }
}

export function formatRoomName(room: RoomRef): string {
  const base = `t/${room.tenant}`;
  switch (room.kind) {
    case 'catalog':
    case 'stock':
    case 'lobby':
    case 'markets':
      return `${base}/${room.kind}`;
    case 'orders':
      return room.month ? `${base}/orders/${room.month}` : `${base}/orders`;
    case 'chess-game':
      return `${base}/chess/${room.game}`;
    case 'chess-players':
      return `${base}/chess/${room.game}/players`;
    case 'market':
      return `${base}/market/${room.market}`;
    case 'market-trades':
      return `${base}/market/${room.market}/trades/${room.month}`;
    case 'standings':
      return `${base}/standings/${room.board}`;
    case 'user':
      return `${base}/u/${room.user}`;
    case 'outbox':
      return `${base}/u/${room.user}/outbox`;
    case 'chat':
      return `${base}/u/${room.user}/chat/${room.thread}`;
    case 'inbox':
      return `${base}/u/${room.user}/inbox`;
    case 'history':
      return `${base}/u/${room.user}/history/${room.month}`;
  }
}

/** Shorthands used by clients, referees and tests. */
export const roomNames = {
  catalog: (tenant: string) => `t/${tenant}/catalog`,
  stock: (tenant: string) => `t/${tenant}/stock`,
  orders: (tenant: string, month?: string) => (month ? `t/${tenant}/orders/${month}` : `t/${tenant}/orders`),
  lobby: (tenant: string) => `t/${tenant}/lobby`,
  chessGame: (tenant: string, game: string) => `t/${tenant}/chess/${game}`,
  chessPlayers: (tenant: string, game: string) => `t/${tenant}/chess/${game}/players`,
  markets: (tenant: string) => `t/${tenant}/markets`,
  market: (tenant: string, market: string) => `t/${tenant}/market/${market}`,
  marketTrades: (tenant: string, market: string, month: string) => `t/${tenant}/market/${market}/trades/${month}`,
  standings: (tenant: string, board: 'chess' | 'markets') => `t/${tenant}/standings/${board}`,
  user: (tenant: string, user: string) => `t/${tenant}/u/${user}`,
  outbox: (tenant: string, user: string) => `t/${tenant}/u/${user}/outbox`,
  chat: (tenant: string, user: string, thread: string) => `t/${tenant}/u/${user}/chat/${thread}`,
  inbox: (tenant: string, user: string) => `t/${tenant}/u/${user}/inbox`,
  history: (tenant: string, user: string, month: string) => `t/${tenant}/u/${user}/history/${month}`,
} as const;

export interface Principal {
  readonly tenant: string;
  readonly user: string;
  readonly role: Role;
}

export interface TenantPolicy {
  /** Guests may read the catalog and stock (browse the shop). */
  readonly guestsMayBrowse: boolean;
}

export type Access = 'write' | 'read' | 'none';

export interface AccessFacts {
  /** For `chess-players` rooms: whether the principal is one of the two players. */
  readonly isPlayer?: boolean;
}

export function roomAccess(room: RoomRef, principal: Principal, policy: TenantPolicy, facts: AccessFacts = {}): Access {
  if (room.tenant !== principal.tenant) return 'none';
  const member = isMember(principal.role);
  const admin = isTenantAdmin(principal.role);
  switch (room.kind) {
    case 'catalog':
      if (admin) return 'write';
      return member || policy.guestsMayBrowse ? 'read' : 'none';
    case 'stock':
      return member || policy.guestsMayBrowse ? 'read' : 'none';
    case 'orders':
      return admin ? 'read' : 'none';
    case 'lobby':
    case 'chess-game':
      return 'read';
    case 'chess-players':
      return facts.isPlayer === true ? 'read' : 'none';
    case 'markets':
    case 'market':
    case 'market-trades':
    case 'standings':
      return member ? 'read' : 'none';
    case 'user':
    case 'outbox':
    case 'chat':
      return room.user === principal.user ? 'write' : 'none';
    case 'inbox':
    case 'history':
      return room.user === principal.user ? 'read' : 'none';
  }
}

/** UTC `yyyy-mm` of a millisecond timestamp, the partition key of orders, trades and history. */
export function monthKey(epochMs: number): string {
  const date = new Date(epochMs);
  return `${date.getUTCFullYear()}-${String(date.getUTCMonth() + 1).padStart(2, '0')}`;
}
