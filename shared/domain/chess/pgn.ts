/**
 * PGN export with the seven-tag roster plus TimeControl and Termination, clock comments in
 * lichess's `{ [%clk h:mm:ss] }` form, and FEN/SetUp for set-up positions. The output is
 * written by hand rather than by chess.js `pgn()`, which leaves `Result "*"` after a mate and
 * has no clock comments; tests load it back through chess.js to prove it reads.
 */
import { fail, ok, type DomainError, type Result } from '../result.ts';
import { replay } from './engine.ts';
import { type GameState, type Termination } from './game.ts';
import { pgnTimeControl, speedOf } from './time-control.ts';
import { STANDARD_FEN } from './types.ts';

export interface PgnOptions {
  readonly event?: string;
  readonly site?: string;
  /** Server time for the Date tag; the game's `createdAt` by default. */
  readonly date?: number;
  readonly maxLineLength?: number;
}

/** PGN's own Termination vocabulary (lichess uses the same words). */
export function pgnTermination(termination: Termination | null): string {
  switch (termination) {
    case null:
      return 'Unterminated';
    case 'timeout':
    case 'timeout-vs-insufficient-material':
      return 'Time forfeit';
    case 'abandoned':
    case 'abandoned-vs-insufficient-material':
    case 'aborted':
    case 'first-move-timeout':
      return 'Abandoned';
    default:
      return 'Normal';
  }
}

/** "h:mm:ss", whole seconds rounded down (what the clock face showed). */
export function formatClk(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  return `${hours}:${String(minutes).padStart(2, '0')}:${String(seconds).padStart(2, '0')}`;
}

/** YYYY.MM.DD in UTC. */
export function pgnDate(ms: number): string {
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) return '????.??.??';
  return `${date.getUTCFullYear()}.${String(date.getUTCMonth() + 1).padStart(2, '0')}.${String(date.getUTCDate()).padStart(2, '0')}`;
}

/**
 * Tag values are untrusted text (display names). PGN escapes `"` and `\` with a backslash,
 * but chess.js 1.4 rejects `\"` and keeps `\\` doubled, so both are replaced instead, along
 * with control characters.
 */
export function pgnTagValue(value: string): string {
  return Array.from(value, (char) => (char < ' ' || char === '\u007f' ? ' ' : char))
    .join('')
    .replaceAll('"', "'")
    .replaceAll('\\', '/')
    .slice(0, 255);
}

export function toPgn(state: GameState, options: PgnOptions = {}): string {
  const result = state.result ?? '*';
  const tags: [string, string][] = [
    ['Event', options.event ?? `${state.rated ? 'Rated' : 'Casual'} ${speedOf(state.timeControl)} game`],
    ['Site', options.site ?? 'Plaza'],
    ['Date', pgnDate(options.date ?? state.createdAt)],
    ['Round', '-'],
    ['White', state.white.displayName],
    ['Black', state.black.displayName],
    ['Result', result],
  ];
  if (state.white.rating !== null) tags.push(['WhiteElo', String(Math.round(state.white.rating))]);
  if (state.black.rating !== null) tags.push(['BlackElo', String(Math.round(state.black.rating))]);
  tags.push(['TimeControl', pgnTimeControl(state.timeControl)], ['Termination', pgnTermination(state.termination)]);
  if (state.initialFen !== STANDARD_FEN) tags.push(['SetUp', '1'], ['FEN', state.initialFen]);

  const header = tags.map(([name, value]) => `[${name} "${pgnTagValue(value)}"]`).join('\n');
  return `${header}\n\n${wrap(movetextTokens(state, result), options.maxLineLength ?? 80)}\n`;
}

function movetextTokens(state: GameState, result: string): string[] {
  const [, turn = 'w', , , , fullmove = '1'] = state.initialFen.split(' ');
  let moveNumber = Number.parseInt(fullmove, 10) || 1;
  let whiteToMove = turn === 'w';
  const tokens: string[] = [];
  for (const move of state.moves) {
    // Every move carries a comment, so every black move repeats its number ("1... e5").
    tokens.push(whiteToMove ? `${moveNumber}. ${move.san}` : `${moveNumber}... ${move.san}`);
    tokens.push(`{ [%clk ${formatClk(move.clockMs)}] }`);
    if (!whiteToMove) moveNumber += 1;
    whiteToMove = !whiteToMove;
  }
  tokens.push(result);
  return tokens;
}

function wrap(tokens: readonly string[], width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const token of tokens) {
    if (line !== '' && line.length + 1 + token.length > width) {
      lines.push(line);
      line = token;
    } else {
      line = line === '' ? token : `${line} ${token}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines.join('\n');
}

/** The position after `ply` half-moves (0 = the start), for stepping through a game. */
export function fenAt(state: GameState, ply: number): Result<string, DomainError<'bad-ply' | 'corrupt-state'>> {
  if (!Number.isSafeInteger(ply) || ply < 0 || ply > state.moves.length) {
    return fail('bad-ply', `ply must be between 0 and ${state.moves.length}`);
  }
  if (ply === state.moves.length) return ok(state.fen);
  const chess = replay(state.initialFen, state.moves.slice(0, ply).map((m) => m.uci));
  if (!chess.ok) return fail('corrupt-state', chess.error.message);
  return ok(chess.value.fen());
}
