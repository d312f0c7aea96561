/**
 * Words and numbers the chess screens show: clock faces, time controls, results and how games
 * ended, and what a refused request means for the person who sent it.
 */
import type { ChessGameRecord, RatingChange } from '../../../../../shared/sync/layouts/chess.ts';
import type { Decision } from '../../../../../shared/sync/intents.ts';
import { sideToMove, type Termination } from '../../../../../shared/domain/chess/game.ts';
import { speedOf, timeControlId, type Speed, type TimeControl } from '../../../../../shared/domain/chess/time-control.ts';
import { type Color, type GameResult } from '../../../../../shared/domain/chess/types.ts';

/** Below this a clock shows tenths, as lichess does. */
export const TENTHS_BELOW_MS = 10_000;

/**
 * A clock face: "1:05:09", "4:59", "0:09.4". Rounded down, so a face never shows time that is
 * not there.
 */
export function formatClock(ms: number): string {
  const safe = Math.max(0, Number.isFinite(ms) ? ms : 0);
  if (safe < TENTHS_BELOW_MS) {
    const tenths = Math.floor(safe / 100);
    return `0:0${Math.floor(tenths / 10)}.${tenths % 10}`;
  }
  const total = Math.floor(safe / 1000);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

/** A countdown in whole seconds, rounded up: "0:23" (what is left before something happens). */
export function formatCountdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
}

/**
 * A game's disconnect grace for people: "15 seconds", "1 minute", "2 minutes 30 seconds" (whole
 * seconds, rounded down so that the promise is never longer than the server's). Null for games
 * that predate the server recording it: the caller says "quickly" instead of guessing a number.
 */
export function graceWords(ms: number | null): string | null {
  if (ms === null || !Number.isFinite(ms) || ms < 1000) return null;
  const total = Math.floor(ms / 1000);
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  const unit = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  if (minutes === 0) return unit(seconds, 'second');
  return seconds === 0 ? unit(minutes, 'minute') : `${unit(minutes, 'minute')} ${unit(seconds, 'second')}`;
}

/** Low time: under a fifth of the initial time, and never more than 30 s nor less than 10 s. */
export function isLowTime(remainingMs: number, tc: TimeControl): boolean {
  const threshold = Math.min(30_000, Math.max(10_000, tc.initialMs / 5));
  return remainingMs < threshold;
}

export const SPEED_LABEL: Readonly<Record<Speed, string>> = { bullet: 'Bullet', blitz: 'Blitz', rapid: 'Rapid', classical: 'Classical' };

/** "3+2 · Blitz" */
export function timeControlLabel(tc: TimeControl): string {
  return `${timeControlId(tc)} · ${SPEED_LABEL[speedOf(tc)]}`;
}

/** "3 minutes + 2 seconds per move", for screen readers and tooltips. */
export function timeControlWords(tc: TimeControl): string {
  const minutes = tc.initialMs / 60_000;
  const initial = minutes === 1 ? '1 minute' : `${Number(minutes.toFixed(2))} minutes`;
  if (tc.incrementMs === 0) return `${initial} per side`;
  const seconds = tc.incrementMs / 1000;
  return `${initial} + ${seconds} ${seconds === 1 ? 'second' : 'seconds'} per move`;
}

export const COLOR_NAME: Readonly<Record<Color, string>> = { white: 'White', black: 'Black' };

export function resultLabel(result: GameResult | null): string {
  switch (result) {
    case '1-0':
      return '1-0 · White wins';
    case '0-1':
      return '0-1 · Black wins';
    case '1/2-1/2':
      return '½-½ · Draw';
    case null:
      return 'No result';
  }
}

type EndedGame = Pick<ChessGameRecord, 'result' | 'termination' | 'white' | 'black' | 'fen' | 'lastEvents'>;

/** Who resigned, flagged, aborted or left, when the record still says so. */
function actorOf(game: EndedGame): Color | null {
  for (const event of game.lastEvents) {
    if (event.type === 'game-ended' && event.by !== null) return event.by;
  }
  if (game.result === '1-0') return 'black';
  if (game.result === '0-1') return 'white';
  return null;
}

/** How a game ended, in a sentence: "Black ran out of time", "Checkmate". */
export function terminationText(game: EndedGame): string {
  const termination: Termination | null = game.termination;
  const actor = actorOf(game);
  const who = (color: Color | null, fallback: string) => (color === null ? fallback : `${COLOR_NAME[color]} (${game[color].displayName})`);
  switch (termination) {
    case null:
      return 'The game is still going on';
    case 'checkmate':
      return 'Checkmate';
    case 'stalemate':
      return 'Stalemate';
    case 'insufficient-material':
      return 'Draw: insufficient material';
    case 'threefold-repetition':
      return 'Draw by threefold repetition';
    case 'fifty-move-rule':
      return 'Draw by the fifty-move rule';
    case 'resignation':
      return `${who(actor, 'A player')} resigned`;
    case 'timeout':
      return `${who(actor, 'A player')} ran out of time`;
    case 'timeout-vs-insufficient-material':
      return `${who(actor, 'A player')} ran out of time, but the opponent cannot mate: draw`;
    case 'draw-agreement':
      return 'Draw by agreement';
    case 'aborted':
      return actor === null ? 'Game aborted' : `Game aborted by ${who(actor, 'a player')}`;
    case 'first-move-timeout': {
      const side = actor ?? sideToMove(game);
      return `Game aborted: ${who(side, 'a player')} did not make a first move in time`;
    }
    case 'abandoned':
      return `${who(actor, 'A player')} left the game and forfeits`;
    case 'abandoned-vs-insufficient-material':
      return `${who(actor === null ? null : actor, 'A player')} left the game, but the opponent cannot mate: draw`;
  }
}

/** The result from one player's side: "You won", "You lost", "Draw", "Aborted". */
export function outcomeFor(game: Pick<ChessGameRecord, 'result'>, color: Color): 'won' | 'lost' | 'draw' | 'none' {
  if (game.result === null) return 'none';
  if (game.result === '1/2-1/2') return 'draw';
  return (game.result === '1-0') === (color === 'white') ? 'won' : 'lost';
}

/** "+12", "−8", "±0" with the real minus sign. */
export function ratingDelta(change: RatingChange): string {
  const delta = Math.round(change.after) - Math.round(change.before);
  if (delta > 0) return `+${delta}`;
  if (delta < 0) return `−${Math.abs(delta)}`;
  return '±0';
}

/** What a refused chess request means, said for people. */
export function rejectionText(decision: Pick<Decision, 'status' | 'reason'>): string {
  if (decision.status === 'expired') return 'The request arrived too late (the connection was too slow); try again.';
  const code = decision.reason?.code;
  const message = decision.reason?.message;
  switch (code) {
    case 'rate-limited':
      return 'You are sending messages too fast. Wait a few seconds, then send again.';
    case 'chat-too-long':
      return message ?? 'That message is too long.';
    case 'guests-play-casual':
      return 'Guests play casual games only. Create an account to play rated games.';
    case 'no-such-seek':
      return 'This challenge is no longer open: its creator cancelled it, left, or someone else took it.';
    case 'stale-ply':
      return 'The position changed before your move arrived; it was not played.';
    case 'not-your-turn':
      return 'It is not your turn.';
    case 'flagged':
      return 'Your time ran out before the move arrived.';
    case 'game-over':
      return 'The game is already over.';
    case 'ttl-too-long':
    case 'invalid':
      return `This version of Plaza sent a request the server does not accept${message ? ` (${message})` : ''}.`;
    default:
      if (message) return message.charAt(0).toUpperCase() + message.slice(1) + (/[.!?]$/.test(message) ? '' : '.');
      return decision.status === 'invalid' ? 'The server could not read this request.' : 'The server refused this request.';
  }
}

/** A game as its colour pair: "Guest-0042 vs Ada". */
export function pairingLabel(game: Pick<ChessGameRecord, 'white' | 'black'>): string {
  return `${game.white.displayName} vs ${game.black.displayName}`;
}
