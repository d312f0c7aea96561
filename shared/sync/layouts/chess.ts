/**
 * Chess rooms: how the lobby, a game, its players' room and the chess standings are laid out in
 * their Y.Docs, the parse functions that turn them into plain records (the same on server and
 * client), the game room's writer (server only), and the intents a client writes to play.
 * Every one of these rooms is written by the chess referee only; clients read them.
 *
 * | room                            | top-level type | key → value                                             |
 * |---------------------------------|----------------|---------------------------------------------------------|
 * | `t/{tenant}/lobby`              | Y.Map `seeks`  | seek id → `SeekRecord` (open seeks and challenge links) |
 * |                                 | Y.Map `games`  | game id → `LiveGameEntry` (live games, for spectators)  |
 * | `t/{tenant}/chess/{game}`       | Y.Map `game`   | one key per `ChessGameRecord` field; `moves` is a       |
 * |                                 |                | nested, append-only Y.Array of `MoveRecord`             |
 * |                                 | Y.Map `chat`   | message id → `ChatMessage` (spectators; last 100)       |
 * | `t/{tenant}/chess/{game}/players` | Y.Map `chat` | message id → `ChatMessage` (the two players only)       |
 * | `t/{tenant}/standings/chess`    | Y.Map `ratings`| user id → `StandingsEntry` (Glicko-2 per speed)          |
 *
 * Times are server milliseconds; a client adds its offset from the `time` messages to show
 * clocks (`clockFaces(record, serverNow)`).
 */
import * as Y from 'yjs';
import { z } from 'zod';
import { ACCOUNT_KINDS, COLOR_CHOICES, type AccountKind, type Seek } from '../../domain/chess/lobby.ts';
import { gameStateSchema } from '../../domain/chess/game-schema.ts';
import type { GameState } from '../../domain/chess/game.ts';
import type { GameEvent } from '../../domain/chess/referee.ts';
import { SPEEDS, timeControlSchema, type Speed, type TimeControl } from '../../domain/chess/time-control.ts';
import { COLORS, PROMOTION_PIECES, type Color } from '../../domain/chess/types.ts';
import { fail, ok, type DomainError, type Result } from '../../domain/result.ts';

// Names inside the Y.Docs ---------------------------------------------------------------------

export const LOBBY_SEEKS = 'seeks';
export const LOBBY_GAMES = 'games';
export const GAME_MAP = 'game';
/** Key of the nested Y.Array of moves inside the `game` map. */
export const GAME_MOVES = 'moves';
export const CHAT_MAP = 'chat';
export const STANDINGS_RATINGS = 'ratings';

export const CHAT_MAX_LENGTH = 500;
/** Chat messages kept per room (older ones are deleted by the server). */
export const CHAT_TAIL = 100;
/** Open seeks one user may have at once. */
export const MAX_SEEKS_PER_USER = 5;
/** What a client should put in a move intent's lifetime (`ttlMs`); the server's ceiling is configurable. */
export const CHESS_MOVE_TTL_MS = 15_000;

const id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
const time = z.int().min(0);
const color = z.enum(COLORS);
const displayName = z.string().max(200);

export type LayoutProblem = DomainError<'invalid-record' | 'id-mismatch' | 'no-game'>;

function problemOf(error: z.ZodError): LayoutProblem {
  const issue = error.issues[0];
  return { code: 'invalid-record', message: `${issue?.path.join('.') || 'record'}: ${issue?.message ?? 'invalid'}` };
}

// Lobby -----------------------------------------------------------------------------------------

export const SEEK_VISIBILITIES = ['lobby', 'link'] as const;
/** `lobby`: listed and matched by quick pairing. `link`: a challenge joined only through its link. */
export type SeekVisibility = (typeof SEEK_VISIBILITIES)[number];

export interface SeekRecord extends Seek {
  readonly visibility: SeekVisibility;
}

export const seekRecordSchema = z.strictObject({
  id,
  tenantId: id,
  creator: z.strictObject({ userId: id, displayName, kind: z.enum(ACCOUNT_KINDS), rating: z.number().finite().nullable() }),
  timeControl: timeControlSchema,
  color: z.enum(COLOR_CHOICES),
  rated: z.boolean(),
  createdAt: time,
  initialFen: z.string().max(100).optional(),
  visibility: z.enum(SEEK_VISIBILITIES),
}) satisfies z.ZodType<SeekRecord>;

export function readSeek(key: string, value: unknown): Result<SeekRecord, LayoutProblem> {
  const parsed = seekRecordSchema.safeParse(value);
  if (!parsed.success) return { ok: false, error: problemOf(parsed.error) };
  if (parsed.data.id !== key) return fail('id-mismatch', `seek stored under "${key}" claims id "${parsed.data.id}"`);
  return ok(parsed.data);
}

const playerSchema = z.strictObject({ userId: id, displayName, rating: z.number().finite().nullable() });

/** A live game in the lobby's directory; removed when the game ends. */
export interface LiveGameEntry {
  readonly id: string;
  readonly white: { readonly userId: string; readonly displayName: string; readonly rating: number | null };
  readonly black: { readonly userId: string; readonly displayName: string; readonly rating: number | null };
  readonly timeControl: TimeControl;
  readonly speed: Speed;
  readonly rated: boolean;
  readonly createdAt: number;
  /**
   * How the game came to be: the waiting seek it answered (its creator learns its game from
   * this entry), or the game it is a rematch of.
   */
  readonly fromSeek: string | null;
  readonly rematchOf: string | null;
}

export const liveGameSchema = z.strictObject({
  id,
  white: playerSchema,
  black: playerSchema,
  timeControl: timeControlSchema,
  speed: z.enum(SPEEDS),
  rated: z.boolean(),
  createdAt: time,
  fromSeek: id.nullable(),
  rematchOf: id.nullable(),
}) satisfies z.ZodType<LiveGameEntry>;

export function readLiveGame(key: string, value: unknown): Result<LiveGameEntry, LayoutProblem> {
  const parsed = liveGameSchema.safeParse(value);
  if (!parsed.success) return { ok: false, error: problemOf(parsed.error) };
  if (parsed.data.id !== key) return fail('id-mismatch', `game stored under "${key}" claims id "${parsed.data.id}"`);
  return ok(parsed.data);
}

export interface LobbyView {
  /** Open seeks, oldest first (both visibilities: the UI lists `lobby` ones). */
  readonly seeks: readonly SeekRecord[];
  /** Live games, newest first. */
  readonly games: readonly LiveGameEntry[];
  readonly hidden: ReadonlyArray<{ readonly key: string; readonly problem: LayoutProblem }>;
}

export function readLobby(doc: Y.Doc): LobbyView {
  const hidden: Array<{ key: string; problem: LayoutProblem }> = [];
  const seeks: SeekRecord[] = [];
  for (const [key, value] of doc.getMap(LOBBY_SEEKS).entries()) {
    const seek = readSeek(key, value);
    if (seek.ok) seeks.push(seek.value);
    else hidden.push({ key: `${LOBBY_SEEKS}.${key}`, problem: seek.error });
  }
  const games: LiveGameEntry[] = [];
  for (const [key, value] of doc.getMap(LOBBY_GAMES).entries()) {
    const game = readLiveGame(key, value);
    if (game.ok) games.push(game.value);
    else hidden.push({ key: `${LOBBY_GAMES}.${key}`, problem: game.error });
  }
  seeks.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  games.sort((a, b) => b.createdAt - a.createdAt || a.id.localeCompare(b.id));
  return { seeks, games, hidden };
}

// Game room -------------------------------------------------------------------------------------

/** A player whose last connection to the game room closed while the game was live. */
export interface DisconnectInfo {
  readonly disconnectedAt: number;
  /** When they forfeit if still away (on their own turn; later if it is not their turn then). */
  readonly deadline: number;
}

export type RematchState =
  | { readonly status: 'offered'; readonly by: Color; readonly at: number }
  | { readonly status: 'declined'; readonly by: Color; readonly at: number }
  /** Withdrawn by the offerer, or either player left the game room. */
  | { readonly status: 'cancelled'; readonly by: Color; readonly at: number }
  | { readonly status: 'accepted'; readonly nextGameId: string; readonly at: number };

export interface RatingChange {
  readonly before: number;
  readonly after: number;
}

/** Everything the game room holds: the domain's GameState plus the server's additions. */
export interface ChessGameRecord extends GameState {
  /** Bumped by every server write: a cache key, and the order of changes. */
  readonly rev: number;
  readonly speed: Speed;
  readonly kinds: Readonly<Record<Color, AccountKind>>;
  readonly disconnect: Readonly<Record<Color, DisconnectInfo | null>>;
  /**
   * How long a player who leaves may stay away before forfeiting, fixed when the game starts so
   * that what the players are told is what applies. Null in games started before servers wrote
   * it: the server's current setting applies to those.
   */
  readonly disconnectGraceMs: number | null;
  readonly rematch: RematchState | null;
  /** Set when a rated game ends: each player's rating for this speed before and after. */
  readonly ratingChange: Readonly<Record<Color, RatingChange>> | null;
  /** What the last write did (move played, draw offered, game ended…), for sounds and toasts. */
  readonly lastEvents: readonly GameEvent[];
  /** Server-internal: the start time of the server run that last took its downtime off the clock. */
  readonly resumedAt: number | null;
}

const gameEventSchema = z.looseObject({ type: z.string().max(40), at: time }) as unknown as z.ZodType<GameEvent>;

const rematchSchema = z.discriminatedUnion('status', [
  z.strictObject({ status: z.literal('offered'), by: color, at: time }),
  z.strictObject({ status: z.literal('declined'), by: color, at: time }),
  z.strictObject({ status: z.literal('cancelled'), by: color, at: time }),
  z.strictObject({ status: z.literal('accepted'), nextGameId: id, at: time }),
]);

const disconnectSchema = z.strictObject({ disconnectedAt: time, deadline: time }).nullable();
const ratingChangeSchema = z.strictObject({ before: z.number().finite(), after: z.number().finite() });

export const gameRecordSchema = gameStateSchema.extend({
  rev: z.int().min(1),
  speed: z.enum(SPEEDS),
  kinds: z.strictObject({ white: z.enum(ACCOUNT_KINDS), black: z.enum(ACCOUNT_KINDS) }),
  disconnect: z.strictObject({ white: disconnectSchema, black: disconnectSchema }),
  // Absent in rooms written before this field existed.
  disconnectGraceMs: z.int().min(0).nullable().default(null),
  rematch: rematchSchema.nullable(),
  ratingChange: z.strictObject({ white: ratingChangeSchema, black: ratingChangeSchema }).nullable(),
  lastEvents: z.array(gameEventSchema).max(20),
  resumedAt: time.nullable(),
});

/** The `game` map's keys, in a stable order (every field but `moves`, which is the nested array). */
export const GAME_RECORD_KEYS = Object.keys(gameRecordSchema.shape).filter((key) => key !== GAME_MOVES) as ReadonlyArray<Exclude<keyof ChessGameRecord, 'moves'>>;

/** The game room's current record, or `no-game` for a room the server never started a game in. */
export function readGameRoom(doc: Y.Doc): Result<ChessGameRecord, LayoutProblem> {
  const map = doc.getMap(GAME_MAP);
  if (map.get('rev') === undefined) return fail('no-game', 'there is no game in this room');
  const raw: Record<string, unknown> = {};
  for (const [key, value] of map.entries()) raw[key] = key === GAME_MOVES ? (value instanceof Y.Array ? value.toArray() : value) : value;
  const parsed = gameRecordSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, error: problemOf(parsed.error) };
  if ((parsed.data.status === 'ended') !== (parsed.data.termination !== null)) return fail('invalid-record', 'status and termination disagree');
  return ok(parsed.data as ChessGameRecord);
}

/** The record's revision without parsing it (null when the room holds no game). */
export function gameRoomRev(doc: Y.Doc): number | null {
  const rev = doc.getMap(GAME_MAP).get('rev');
  return typeof rev === 'number' ? rev : null;
}

/**
 * Server only: writes `next` into the game room, touching only the fields that changed since
 * `previous` (compared by reference, so pass the record last written or read) and appending
 * new moves. Call inside one transaction.
 */
export function writeGameRoom(doc: Y.Doc, previous: ChessGameRecord | null, next: ChessGameRecord): void {
  const map = doc.getMap(GAME_MAP);
  for (const key of GAME_RECORD_KEYS) {
    if (previous === null || previous[key] !== next[key] || !map.has(key)) map.set(key, next[key]);
  }
  let moves = map.get(GAME_MOVES);
  if (!(moves instanceof Y.Array)) {
    moves = new Y.Array();
    map.set(GAME_MOVES, moves);
  }
  const array = moves as Y.Array<unknown>;
  const kept = previous !== null && array.length === previous.moves.length && previous.moves.every((move, index) => next.moves[index] === move) ? array.length : 0;
  if (kept === 0 && array.length > 0) array.delete(0, array.length);
  // `insert` at the end, not `push`: Yjs's push walks the whole list from its start unless a
  // search marker exists, and only index-based calls such as `insert` create one, so push
  // cost grew with every ply while insert finds the end from the last marker.
  if (next.moves.length > kept) array.insert(array.length, next.moves.slice(kept));
}

// Chat ------------------------------------------------------------------------------------------

export const CHAT_CHANNELS = ['players', 'spectators'] as const;
export type ChatChannel = (typeof CHAT_CHANNELS)[number];

/** Plain text: the UI renders it as text, never as HTML or Markdown. */
export interface ChatMessage {
  readonly id: string;
  readonly userId: string;
  readonly displayName: string;
  readonly text: string;
  readonly at: number;
}

export const chatMessageSchema = z.strictObject({ id, userId: id, displayName, text: z.string().min(1).max(CHAT_MAX_LENGTH), at: time }) satisfies z.ZodType<ChatMessage>;

export function readChatMessage(key: string, value: unknown): Result<ChatMessage, LayoutProblem> {
  const parsed = chatMessageSchema.safeParse(value);
  if (!parsed.success) return { ok: false, error: problemOf(parsed.error) };
  if (parsed.data.id !== key) return fail('id-mismatch', `message stored under "${key}" claims id "${parsed.data.id}"`);
  return ok(parsed.data);
}

/** Messages of a room's `chat` map, oldest first. */
export function readChat(doc: Y.Doc): ChatMessage[] {
  const messages: ChatMessage[] = [];
  for (const [key, value] of doc.getMap(CHAT_MAP).entries()) {
    const message = readChatMessage(key, value);
    if (message.ok) messages.push(message.value);
  }
  return messages.sort((a, b) => a.at - b.at || a.id.localeCompare(b.id));
}

// Bidirectional overrides and isolates let a message disguise what it says; controls break lines.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** What the server stores for a chat text: controls and direction overrides become spaces, trimmed. */
export function cleanChatText(text: string): string {
  return text.replace(UNSAFE_CHARACTERS, ' ').replace(/ {2,}/g, ' ').trim();
}

// Standings -------------------------------------------------------------------------------------

export interface Perf {
  readonly rating: number;
  readonly rd: number;
  readonly volatility: number;
  readonly games: number;
  readonly wins: number;
  readonly losses: number;
  readonly draws: number;
}

export interface StandingsEntry {
  readonly userId: string;
  readonly displayName: string;
  /** Ratings by speed; a speed never played is absent (1500 ± 350 until then). */
  readonly perfs: Partial<Readonly<Record<Speed, Perf>>>;
  readonly updatedAt: number;
}

const count = z.int().min(0);
const perfSchema = z.strictObject({ rating: z.number().finite(), rd: z.number().finite().min(0), volatility: z.number().finite().min(0), games: count, wins: count, losses: count, draws: count });

export const standingsEntrySchema = z.strictObject({
  userId: id,
  displayName,
  perfs: z.partialRecord(z.enum(SPEEDS), perfSchema),
  updatedAt: time,
}) satisfies z.ZodType<StandingsEntry>;

export function readStandingsEntry(key: string, value: unknown): Result<StandingsEntry, LayoutProblem> {
  const parsed = standingsEntrySchema.safeParse(value);
  if (!parsed.success) return { ok: false, error: problemOf(parsed.error) };
  if (parsed.data.userId !== key) return fail('id-mismatch', `entry stored under "${key}" claims user "${parsed.data.userId}"`);
  return ok(parsed.data as StandingsEntry);
}

// Intents ---------------------------------------------------------------------------------------

const gameRef = z.strictObject({ gameId: id });

/**
 * Payloads of the chess intents, written into the player's outbox (`makeIntent`). Each decision
 * lands in the author's inbox; `result` is described beside each kind.
 */
export const chessIntentSchemas = {
  /**
   * Quick pairing or a posted seek. `lobby`: paired at once with the oldest compatible open
   * seek (result `{ gameId, color }`), else posted (result `{ seekId }`). `link`: always posted,
   * never auto-paired; share `chessJoinPath(seekId)`. Seeks vanish when their creator leaves
   * the lobby room. `timeControl`: a preset or custom id ("3+2") or `{ initialMs, incrementMs }`.
   * `fen`: a casual game from a set-up position.
   */
  'chess.seek': z.strictObject({
    timeControl: z.union([z.string().max(16), timeControlSchema]),
    color: z.enum(COLOR_CHOICES).default('random'),
    rated: z.boolean().default(false),
    visibility: z.enum(SEEK_VISIBILITIES).default('lobby'),
    fen: z.string().max(100).optional(),
  }),
  /** Joins an open seek or challenge link (guests too, for casual seeks). Result `{ gameId, color }`. */
  'chess.acceptSeek': z.strictObject({ seekId: id }),
  /** Withdraws one's own seek. */
  'chess.cancelSeek': z.strictObject({ seekId: id }),
  /**
   * A move: `expectedPly` is `moves.length` when the player chose it; `move` is UCI ("e2e4",
   * "e7e8q"; castling is the king's move) or `{ from, to, promotion? }`. Result `{ ply, san }`.
   * Charged on the server's clock from the moment it is decided, minus lag compensation.
   */
  'chess.move': z.strictObject({
    gameId: id,
    expectedPly: z.int().min(0).max(100_000),
    move: z.union([z.string().max(8), z.strictObject({ from: z.string().max(2), to: z.string().max(2), promotion: z.enum(PROMOTION_PIECES).optional() })]),
  }),
  'chess.resign': gameRef,
  /** Offering while the opponent's offer stands agrees to it. */
  'chess.offerDraw': gameRef,
  'chess.acceptDraw': gameRef,
  'chess.declineDraw': gameRef,
  /** Only before both sides have moved. */
  'chess.abort': gameRef,
  /**
   * After the game: the first player to ask offers (result `{ offered: true }`); the other
   * asking too, or accepting, starts the new game with colours swapped (result
   * `{ gameId, color }`; both see `rematch.nextGameId` in the old room).
   */
  'chess.rematch': gameRef,
  /** Declines the opponent's rematch offer, or withdraws one's own. */
  'chess.declineRematch': gameRef,
  /**
   * Chat: `players` goes to the players' room (the two players only), `spectators` to the game
   * room (anyone who can open it). At most 500 characters, a few messages per 10 s per user.
   * Result `{ messageId }`.
   */
  'chess.chat': z.strictObject({ gameId: id, channel: z.enum(CHAT_CHANNELS), text: z.string().max(CHAT_MAX_LENGTH * 4) }),
} as const;

export type ChessIntentKind = keyof typeof chessIntentSchemas;
export const CHESS_INTENT_KINDS = Object.keys(chessIntentSchemas) as ChessIntentKind[];
export type ChessIntentPayload<K extends ChessIntentKind> = z.input<(typeof chessIntentSchemas)[K]>;
export type ParsedChessIntent<K extends ChessIntentKind> = z.output<(typeof chessIntentSchemas)[K]>;

export function isChessIntentKind(kind: string): kind is ChessIntentKind {
  return Object.hasOwn(chessIntentSchemas, kind);
}

export function parseChessIntent<K extends ChessIntentKind>(kind: K, payload: unknown): Result<ParsedChessIntent<K>, DomainError<'invalid'>> {
  const parsed = (chessIntentSchemas[kind] as unknown as z.ZodType<ParsedChessIntent<K>>).safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return fail('invalid', `${issue?.path.join('.') || 'payload'}: ${issue?.message ?? 'invalid'}`);
  }
  return ok(parsed.data);
}

/**
 * Reason codes of rejected chess intents, besides the domain's `REJECTION_CODES` (not-a-player,
 * not-your-turn, stale-ply, illegal-move, flagged, game-over, …) and the lobby's
 * `LOBBY_ERROR_CODES` (guests-play-casual, bad-time-control, bad-fen, …).
 */
export const CHESS_SERVER_REJECTION_CODES = [
  'invalid',
  'no-such-game',
  'no-such-seek',
  'own-seek',
  'incompatible-seek',
  'too-many-seeks',
  'ttl-too-long',
  'rematch-already-offered',
  'rematch-done',
  'no-rematch-offer',
  'opponent-left',
  'game-not-over',
  'chat-empty',
  'chat-too-long',
  'rate-limited',
  /** The server's guess of the rooms a decision needed was wrong; sending it again works. */
  'retry',
] as const;

/** The path a challenge link opens (the web flavour and the desktop app route it alike). */
export function chessJoinPath(seekId: string): string {
  return `/chess/join/${encodeURIComponent(seekId)}`;
}
