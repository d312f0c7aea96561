/**
 * The lobby: seeks, the quick-pairing rule, and the games they turn into (including
 * rematches). Pairing is pure: the server passes the open seeks, the new one and a random
 * bit for colour, and stores whatever comes back.
 */
import { fail, ok, type DomainError, type Result } from '../result.ts';
import { boardOutcome, newEngine } from './engine.ts';
import { createGame, type ChessPlayer, type GameSetupError, type GameState } from './game.ts';
import { DEFAULT_TIME_CONTROL_BOUNDS, sameTimeControl, validateTimeControl, type TimeControl, type TimeControlBounds } from './time-control.ts';
import { STANDARD_FEN } from './types.ts';

export const COLOR_CHOICES = ['white', 'black', 'random'] as const;
export type ColorChoice = (typeof COLOR_CHOICES)[number];

export const ACCOUNT_KINDS = ['account', 'guest'] as const;
export type AccountKind = (typeof ACCOUNT_KINDS)[number];

export interface SeekCreator {
  readonly userId: string;
  readonly displayName: string;
  readonly kind: AccountKind;
  /** Current rating for this speed, shown in the lobby; null for guests. */
  readonly rating: number | null;
}

export interface Seek {
  readonly id: string;
  readonly tenantId: string;
  readonly creator: SeekCreator;
  readonly timeControl: TimeControl;
  readonly color: ColorChoice;
  readonly rated: boolean;
  readonly createdAt: number;
  /** A set-up start position (casual games only); absent for the standard one. */
  readonly initialFen?: string | undefined;
}

export const LOBBY_ERROR_CODES = ['missing-id', 'guests-play-casual', 'bad-time-control', 'game-not-over', 'bad-fen', 'rated-needs-standard-start'] as const;
export type LobbyError = DomainError<(typeof LOBBY_ERROR_CODES)[number]>;

/** The only way to a valid Seek. */
export function createSeek(input: Seek, bounds: TimeControlBounds = DEFAULT_TIME_CONTROL_BOUNDS): Result<Seek, LobbyError> {
  if (input.id === '' || input.tenantId === '' || input.creator.userId === '') return fail('missing-id', 'seek, tenant and user ids are required');
  if (input.rated && input.creator.kind !== 'account') return fail('guests-play-casual', 'guests play casual games only; sign in to play rated');
  const tc = validateTimeControl(input.timeControl, bounds);
  if (!tc.ok) return fail('bad-time-control', tc.error.message);
  const { initialFen, ...rest } = input;
  if (initialFen === undefined) return ok({ ...rest, timeControl: tc.value });
  const engine = newEngine(initialFen);
  if (!engine.ok) return fail('bad-fen', engine.error.message);
  if (boardOutcome(engine.value) !== null) return fail('bad-fen', 'the position is already decided');
  // chess.js's spelling, so that equal positions compare equal when pairing.
  const fen = engine.value.fen();
  if (fen === STANDARD_FEN) return ok({ ...rest, timeControl: tc.value });
  if (input.rated) return fail('rated-needs-standard-start', 'games from a set-up position are casual');
  return ok({ ...rest, timeControl: tc.value, initialFen: fen });
}

function startOf(seek: Seek): string {
  return seek.initialFen ?? STANDARD_FEN;
}

function colorsCompatible(a: ColorChoice, b: ColorChoice): boolean {
  return a === 'random' || b === 'random' || a !== b;
}

/**
 * Quick-pairing rule: same tenant, two different people, the same time control, the same
 * rated flag (rated only between accounts), and colour wishes that can both be met.
 */
export function seeksCompatible(a: Seek, b: Seek): boolean {
  if (a.tenantId !== b.tenantId || a.creator.userId === b.creator.userId) return false;
  if (!sameTimeControl(a.timeControl, b.timeControl) || a.rated !== b.rated || startOf(a) !== startOf(b)) return false;
  if (a.rated && (a.creator.kind !== 'account' || b.creator.kind !== 'account')) return false;
  return colorsCompatible(a.color, b.color);
}

export interface Pairing {
  readonly tenantId: string;
  /** The waiting seek first, the new one second; both leave the lobby. */
  readonly seekIds: readonly [string, string];
  readonly white: SeekCreator;
  readonly black: SeekCreator;
  readonly timeControl: TimeControl;
  readonly rated: boolean;
  /** The waiting seek's set-up position, if any. */
  readonly initialFen?: string | undefined;
}

/**
 * Pairs `newSeek` with the oldest compatible open seek, or returns null (the new seek then
 * waits). When neither side asked for a colour, `randomBit` 0 gives White to the waiting seek.
 */
export function pair(seeks: readonly Seek[], newSeek: Seek, randomBit: 0 | 1): Pairing | null {
  let match: Seek | null = null;
  for (const seek of seeks) {
    if (seek.id === newSeek.id || !seeksCompatible(seek, newSeek)) continue;
    if (match === null || seek.createdAt < match.createdAt) match = seek;
  }
  if (match === null) return null;
  const waitingIsWhite = match.color === 'white' || newSeek.color === 'black' || (match.color === 'random' && newSeek.color === 'random' && randomBit === 0);
  return {
    tenantId: match.tenantId,
    seekIds: [match.id, newSeek.id],
    white: waitingIsWhite ? match.creator : newSeek.creator,
    black: waitingIsWhite ? newSeek.creator : match.creator,
    timeControl: match.timeControl,
    rated: match.rated,
    ...(match.initialFen === undefined ? {} : { initialFen: match.initialFen }),
  };
}

function toPlayer(creator: SeekCreator, rated: boolean): ChessPlayer {
  return { userId: creator.userId, displayName: creator.displayName, rating: rated ? creator.rating : null };
}

export interface NewGameIds {
  readonly gameId: string;
  readonly now: number;
  readonly firstMoveTimeoutMs?: number;
}

export function gameFromPairing(pairing: Pairing, ids: NewGameIds, bounds: TimeControlBounds = DEFAULT_TIME_CONTROL_BOUNDS): Result<GameState, GameSetupError> {
  return createGame(
    {
      id: ids.gameId,
      tenantId: pairing.tenantId,
      white: toPlayer(pairing.white, pairing.rated),
      black: toPlayer(pairing.black, pairing.rated),
      rated: pairing.rated,
      timeControl: pairing.timeControl,
      now: ids.now,
      ...(pairing.initialFen === undefined ? {} : { initialFen: pairing.initialFen }),
      ...(ids.firstMoveTimeoutMs === undefined ? {} : { firstMoveTimeoutMs: ids.firstMoveTimeoutMs }),
    },
    bounds,
  );
}

export interface RematchIds extends NewGameIds {
  /** Ratings after the previous game, by user id; players keep their old value if absent. */
  readonly ratings?: Readonly<Record<string, number | null>>;
}

/** A new game between the same two players with colours swapped and everything else kept. */
export function rematch(previous: GameState, ids: RematchIds, bounds: TimeControlBounds = DEFAULT_TIME_CONTROL_BOUNDS): Result<GameState, LobbyError | GameSetupError> {
  if (previous.status !== 'ended') return fail('game-not-over', 'a rematch is offered once the game is over');
  const rating = (player: ChessPlayer): number | null => {
    const updated = ids.ratings?.[player.userId];
    return updated === undefined ? player.rating : updated;
  };
  return createGame(
    {
      id: ids.gameId,
      tenantId: previous.tenantId,
      white: { ...previous.black, rating: rating(previous.black) },
      black: { ...previous.white, rating: rating(previous.white) },
      rated: previous.rated,
      timeControl: previous.timeControl,
      initialFen: previous.initialFen,
      now: ids.now,
      firstMoveTimeoutMs: ids.firstMoveTimeoutMs ?? previous.firstMoveTimeoutMs,
    },
    bounds,
  );
}
