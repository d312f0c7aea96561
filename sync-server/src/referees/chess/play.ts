/**
 * Playing a game: player commands (move, resign, draws, abort) through the domain's `decide`,
 * the clock deadlines (flag, first-move timeout), disconnect countdowns and forfeits, the resume
 * step after a restart, and rematches.
 */
import { SERVER_ACTOR, userActor, type PlayerCommand } from '../../../../shared/domain/chess/commands.ts';
import { colorOf, type GameState } from '../../../../shared/domain/chess/game.ts';
import { rematch } from '../../../../shared/domain/chess/lobby.ts';
import { decide, settleDeadlines, type Decision, type RefereeRejection } from '../../../../shared/domain/chess/referee.ts';
import { speedOf } from '../../../../shared/domain/chess/time-control.ts';
import { COLORS, opposite, type Color } from '../../../../shared/domain/chess/types.ts';
import type { Result } from '../../../../shared/domain/result.ts';
import type { ChessGameRecord } from '../../../../shared/sync/layouts/chess.ts';
import { roomNames } from '../../../../shared/sync/rooms.ts';
import type { Author, Outcome } from '../../intents/referee.ts';
import type { ChessCore } from './core.ts';
import type { GameBook, GameEntry } from './game-book.ts';
import { deadlineIds } from './ids.ts';
import { startGame } from './lobby.ts';
import { removeLiveGame } from './lobby-room.ts';
import { rejected } from './outcome.ts';
import { displayRating, rateFinishedGame } from './ratings.ts';
import type { ChessSettings } from './settings.ts';
import type { ChessTx } from './tx.ts';

const NO_GAME = rejected('no-such-game', 'there is no such game');

function withState(record: ChessGameRecord, state: GameState): ChessGameRecord {
  return { ...record, ...state };
}

/** Commits what the domain decided (or the consequence a rejection forces). */
function applyDecided(tx: ChessTx, book: GameBook, entry: GameEntry, decided: Result<Decision, RefereeRejection>): ChessGameRecord | null {
  const decision = decided.ok ? decided.value : decided.error.consequence;
  return decision === undefined ? null : book.commit(tx, entry, withState(entry.record, decision.state), decision.events);
}

/** A player command from an intent: the domain decides, the book writes. */
export function playCommand(tx: ChessTx, book: GameBook, author: Author, command: PlayerCommand): Outcome {
  const entry = book.load(tx, command.gameId);
  if (entry === null) return NO_GAME;
  const rtt = tx.ctx.rttOf(author.user);
  const lagMs = rtt === null ? 0 : rtt / 2;
  const position = command.type === 'move' && entry.record.status !== 'ended' && colorOf(entry.record, author.user) !== null ? book.position(entry) : null;
  const decided = decide(entry.record, command, userActor(author.tenant, author.user), tx.now, { lagMs: { [author.user]: lagMs }, ...(position === null ? {} : { position }) });
  applyDecided(tx, book, entry, decided);
  if (!decided.ok) return rejected(decided.error.code, decided.error.message);
  if (command.type === 'move') {
    const last = entry.record.moves.at(-1);
    return { status: 'accepted', result: { ply: entry.record.moves.length, san: last?.san ?? '' } };
  }
  return { status: 'accepted' };
}

// Deadlines --------------------------------------------------------------------------------------

/** The flag or first-move timer fell (or a shift moved it: then it is armed again). */
export function clockDue(tx: ChessTx, book: GameBook, gameId: string): void {
  const entry = book.load(tx, gameId);
  if (entry === null || entry.record.status === 'ended') return;
  const settled = settleDeadlines(entry.record, tx.now);
  if (settled !== null) book.commit(tx, entry, withState(entry.record, settled.state), settled.events);
  // Early (the row was not moved later) or shifted: arm it again for the real time.
  else book.armClock(tx, entry, true);
}

/** A disconnect countdown ran out: forfeit on the leaver's turn; otherwise wait for it. */
export function disconnectDue(tx: ChessTx, book: GameBook, gameId: string): void {
  const entry = book.load(tx, gameId);
  if (entry === null || entry.record.status === 'ended') return;
  for (const color of COLORS) {
    const away = entry.record.disconnect[color];
    if (away === null) continue;
    const user = entry.record[color].userId;
    if (tx.ctx.isConnected(entry.room, user)) {
      comeBack(tx, book, entry, color);
      continue;
    }
    if (tx.now < away.deadline) {
      book.armDisconnect(tx, gameId, color, away, tx.now);
      continue;
    }
    const decided = decide(entry.record, { type: 'disconnectForfeit', gameId, userId: user }, SERVER_ACTOR, tx.now);
    // Refused while it is not the leaver's turn or before both moved: the opponent's next move
    // re-arms the countdown, and the first-move timer covers the start.
    if (applyDecided(tx, book, entry, decided)?.status === 'ended') return;
  }
}

/** A game has just ended: it leaves the live-games directory, and a rated one is rated (once). */
export function finishDue(tx: ChessTx, book: GameBook, gameId: string): void {
  const entry = book.load(tx, gameId);
  if (entry === null || entry.record.status !== 'ended') return;
  removeLiveGame(tx, gameId);
  if (entry.record.ratingChange !== null) return;
  const ratingChange = rateFinishedGame(tx, entry.record);
  if (ratingChange !== null) book.commit(tx, entry, { ...entry.record, ratingChange }, []);
}

/**
 * After a restart: the downtime comes off the clock (in `load`), and a player who has not come
 * back gets a countdown as if they had just left.
 */
export function resumeDue(tx: ChessTx, book: GameBook, gameId: string, settings: ChessSettings): void {
  const entry = book.load(tx, gameId);
  tx.clearDeadline(deadlineIds.resume(tx.tenant, gameId));
  if (entry === null || entry.record.status === 'ended') return;
  for (const color of COLORS) {
    if (entry.record.disconnect[color] === null && !tx.ctx.isConnected(entry.room, entry.record[color].userId)) leave(tx, book, entry, color, graceOf(entry.record, settings));
  }
}

// Presence ---------------------------------------------------------------------------------------

/** The grace the players were shown: the game's own, or this server's for games that predate it. */
function graceOf(record: ChessGameRecord, settings: ChessSettings): number {
  return record.disconnectGraceMs ?? settings.disconnectGraceMs;
}

function leave(tx: ChessTx, book: GameBook, entry: GameEntry, color: Color, graceMs: number): void {
  const away = { disconnectedAt: tx.now, deadline: tx.now + graceMs };
  book.commit(tx, entry, { ...entry.record, disconnect: { ...entry.record.disconnect, [color]: away } }, []);
  book.armDisconnect(tx, entry.gameId, color, away, tx.now);
}

function comeBack(tx: ChessTx, book: GameBook, entry: GameEntry, color: Color): void {
  book.commit(tx, entry, { ...entry.record, disconnect: { ...entry.record.disconnect, [color]: null } }, []);
  tx.clearDeadline(deadlineIds.disconnect(tx.tenant, entry.gameId, color));
}

/** A player's first connection to the game room opened, or their last one closed. */
export function gamePresence(tx: ChessTx, { book, settings }: ChessCore, gameId: string, user: string): void {
  const entry = book.load(tx, gameId);
  if (entry === null) return;
  const color = colorOf(entry.record, user);
  if (color === null) return;
  const here = tx.ctx.isConnected(entry.room, user);
  const record = entry.record;
  if (record.status === 'ended') {
    // Leaving the board after the game calls off a pending rematch offer.
    if (!here && record.rematch?.status === 'offered') book.commit(tx, entry, { ...record, rematch: { status: 'cancelled', by: color, at: tx.now } }, []);
    return;
  }
  if (here && record.disconnect[color] !== null) comeBack(tx, book, entry, color);
  else if (!here && record.disconnect[color] === null) leave(tx, book, entry, color, graceOf(record, settings));
}

// Rematch ----------------------------------------------------------------------------------------

/** The id the next game would get if this rematch intent starts it (derived in `roomsFor`). */
export function offerOrAcceptRematch(tx: ChessTx, core: ChessCore, author: Author, gameId: string, nextGameId: string): Outcome {
  const { book, settings } = core;
  const entry = book.load(tx, gameId);
  if (entry === null) return NO_GAME;
  const record = entry.record;
  const color = colorOf(record, author.user);
  if (color === null) return rejected('not-a-player', 'only the two players can ask for a rematch');
  if (record.status !== 'ended') return rejected('game-not-over', 'a rematch is offered once the game is over');
  const offer = record.rematch;
  if (offer?.status === 'accepted') return rejected('rematch-done', 'the rematch has started', { gameId: offer.nextGameId });
  if (offer?.status === 'offered' && offer.by === color) return rejected('rematch-already-offered', 'your rematch offer is waiting for an answer');
  const opponent = record[opposite(color)].userId;
  if (!tx.ctx.isConnected(entry.room, opponent)) return rejected('opponent-left', 'your opponent has left the game');
  if (offer?.status !== 'offered') {
    book.commit(tx, entry, { ...record, rematch: { status: 'offered', by: color, at: tx.now } }, []);
    return { status: 'accepted', result: { offered: true } };
  }
  // The other player asked first: start the new game, colours swapped.
  if (!tx.hasRoom(roomNames.chessGame(tx.tenant, nextGameId))) return rejected('retry', 'the server was not ready for this; please try again');
  const speed = speedOf(record.timeControl);
  const ratings = record.rated ? { [record.white.userId]: displayRating(tx, record.white.userId, speed), [record.black.userId]: displayRating(tx, record.black.userId, speed) } : undefined;
  const next = rematch(record, { gameId: nextGameId, now: tx.now, firstMoveTimeoutMs: settings.firstMoveTimeoutMs, ...(ratings ? { ratings } : {}) }, settings.bounds);
  if (!next.ok) return rejected(next.error.code, next.error.message);
  startGame(tx, core, next.value, { white: record.kinds.black, black: record.kinds.white }, { fromSeek: null, rematchOf: record.id });
  book.commit(tx, entry, { ...record, rematch: { status: 'accepted', nextGameId, at: tx.now } }, []);
  return { status: 'accepted', result: { gameId: nextGameId, color: opposite(color) } };
}

export function declineRematch(tx: ChessTx, book: GameBook, author: Author, gameId: string): Outcome {
  const entry = book.load(tx, gameId);
  if (entry === null) return NO_GAME;
  const color = colorOf(entry.record, author.user);
  if (color === null) return rejected('not-a-player', 'only the two players answer a rematch offer');
  const offer = entry.record.rematch;
  if (offer?.status !== 'offered') return rejected('no-rematch-offer', 'there is no rematch offer to answer');
  const status = offer.by === color ? 'cancelled' : 'declined';
  book.commit(tx, entry, { ...entry.record, rematch: { status, by: color, at: tx.now } }, []);
  return { status: 'accepted' };
}
