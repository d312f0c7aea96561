/**
 * The lobby: posting seeks (quick pairing first), challenge links, joining and cancelling them,
 * seeks vanishing with their creator's lobby connection, and starting games.
 */
import { randomInt } from 'node:crypto';
import type { GameState } from '../../../../shared/domain/chess/game.ts';
import { createSeek, gameFromPairing, pair, type AccountKind, type Seek } from '../../../../shared/domain/chess/lobby.ts';
import { parseTimeControl, speedOf } from '../../../../shared/domain/chess/time-control.ts';
import type { Color } from '../../../../shared/domain/chess/types.ts';
import { MAX_SEEKS_PER_USER, type ChessGameRecord, type ParsedChessIntent, type SeekRecord } from '../../../../shared/sync/layouts/chess.ts';
import { roomNames } from '../../../../shared/sync/rooms.ts';
import type { Author, Outcome } from '../../intents/referee.ts';
import type { ChessCore } from './core.ts';
import { deadlineIds } from './ids.ts';
import { putLiveGame } from './lobby-room.ts';
import { rejected } from './outcome.ts';
import { displayRating } from './ratings.ts';
import type { ChessTx } from './tx.ts';

export interface SeekDeadlinePayload {
  readonly seekId: string;
  readonly user: string;
}

function randomBit(): 0 | 1 {
  return randomInt(2) === 0 ? 0 : 1;
}

function colorIn(pairing: { readonly white: { readonly userId: string } }, user: string): Color {
  return pairing.white.userId === user ? 'white' : 'black';
}

/**
 * The seek an author would post; null when the payload's time control or position is not
 * acceptable (the decision then says why).
 */
function seekFor(core: ChessCore, author: Author, input: ParsedChessIntent<'chess.seek'>, id: string, now: number, rating: number | null) {
  const tc = parseTimeControl(input.timeControl, core.settings.bounds);
  if (!tc.ok) return { ok: false as const, error: { code: 'bad-time-control', message: tc.error.message } };
  const seek: Seek = {
    id,
    tenantId: author.tenant,
    creator: { userId: author.user, displayName: author.name.slice(0, 200), kind: author.kind, rating },
    timeControl: tc.value,
    color: input.color,
    rated: input.rated,
    createdAt: now,
    ...(input.fen === undefined ? {} : { initialFen: input.fen }),
  };
  return createSeek(seek, core.settings.bounds);
}

/** For `roomsFor`: whether this seek would be paired at once (true when unsure). */
export function mayPairAtOnce(core: ChessCore, author: Author, input: ParsedChessIntent<'chess.seek'>, now: number): boolean {
  if (input.visibility !== 'lobby') return false;
  const open = core.lobby.seeksOf(author.tenant);
  if (open === null) return true;
  const seek = seekFor(core, author, input, 'prospective', now, null);
  return seek.ok && pair(open.filter((other) => other.visibility === 'lobby'), seek.value, 0) !== null;
}

export function postSeek(tx: ChessTx, core: ChessCore, author: Author, input: ParsedChessIntent<'chess.seek'>, ids: { seekId: string; gameId: string }): Outcome {
  const tc = parseTimeControl(input.timeControl, core.settings.bounds);
  const rating = author.kind === 'account' && tc.ok ? displayRating(tx, author.user, speedOf(tc.value)) : null;
  const seek = seekFor(core, author, input, ids.seekId, tx.now, rating);
  if (!seek.ok) return rejected(seek.error.code, seek.error.message);
  const open = core.lobby.read(tx);
  if (open.filter((other) => other.creator.userId === author.user).length >= MAX_SEEKS_PER_USER) {
    return rejected('too-many-seeks', `you have ${MAX_SEEKS_PER_USER} open seeks already; cancel one first`);
  }
  if (input.visibility === 'lobby') {
    const pairing = pair(
      open.filter((other) => other.visibility === 'lobby'),
      seek.value,
      randomBit(),
    );
    if (pairing !== null) {
      if (!tx.hasRoom(roomNames.chessGame(tx.tenant, ids.gameId))) return rejected('retry', 'the lobby changed while this was on its way; please try again');
      const game = gameFromPairing(pairing, { gameId: ids.gameId, now: tx.now, firstMoveTimeoutMs: core.settings.firstMoveTimeoutMs }, core.settings.bounds);
      if (!game.ok) return rejected(game.error.code, game.error.message);
      startGame(tx, core, game.value, { white: pairing.white.kind, black: pairing.black.kind }, { fromSeek: pairing.seekIds[0], rematchOf: null });
      return { status: 'accepted', result: { gameId: ids.gameId, color: colorIn(pairing, author.user) } };
    }
  }
  const record: SeekRecord = { ...seek.value, visibility: input.visibility };
  core.lobby.put(tx, record);
  // A seek lives while its creator is in the lobby; this catches a creator who never comes.
  tx.setDeadline(deadlineIds.seek(tx.tenant, record.id), 'seek', tx.now + core.settings.seekGraceMs, { seekId: record.id, user: author.user } satisfies SeekDeadlinePayload);
  return { status: 'accepted', result: { seekId: record.id } };
}

/** Joins an open seek or challenge link. */
export function acceptSeek(tx: ChessTx, core: ChessCore, author: Author, seekId: string, gameId: string): Outcome {
  const seek = core.lobby.read(tx).find((open) => open.id === seekId);
  if (seek === undefined) return rejected('no-such-seek', 'this challenge is no longer open');
  if (seek.creator.userId === author.user) return rejected('own-seek', 'this is your own challenge: share its link with your opponent');
  if (seek.rated && author.kind !== 'account') return rejected('guests-play-casual', 'guests play casual games only; sign in to play rated');
  if (!tx.hasRoom(roomNames.chessGame(tx.tenant, gameId))) return rejected('retry', 'the server was not ready for this; please try again');
  const rating = author.kind === 'account' ? displayRating(tx, author.user, speedOf(seek.timeControl)) : null;
  const mine = createSeek(
    {
      id: gameId,
      tenantId: author.tenant,
      creator: { userId: author.user, displayName: author.name.slice(0, 200), kind: author.kind, rating },
      timeControl: seek.timeControl,
      color: 'random',
      rated: seek.rated,
      createdAt: tx.now,
      ...(seek.initialFen === undefined ? {} : { initialFen: seek.initialFen }),
    },
    core.settings.bounds,
  );
  if (!mine.ok) return rejected(mine.error.code, mine.error.message);
  const pairing = pair([seek], mine.value, randomBit());
  if (pairing === null) return rejected('incompatible-seek', 'you cannot join this challenge');
  const game = gameFromPairing(pairing, { gameId, now: tx.now, firstMoveTimeoutMs: core.settings.firstMoveTimeoutMs }, core.settings.bounds);
  if (!game.ok) return rejected(game.error.code, game.error.message);
  startGame(tx, core, game.value, { white: pairing.white.kind, black: pairing.black.kind }, { fromSeek: seek.id, rematchOf: null });
  return { status: 'accepted', result: { gameId, color: colorIn(pairing, author.user) } };
}

export function cancelSeek(tx: ChessTx, core: ChessCore, author: Author, seekId: string): Outcome {
  const seek = core.lobby.read(tx).find((open) => open.id === seekId);
  if (seek === undefined || seek.creator.userId !== author.user) return rejected('no-such-seek', 'you have no such open seek');
  core.lobby.remove(tx, [seekId]);
  return { status: 'accepted' };
}

/** The creator's last lobby connection closed: their seeks go. */
export function lobbyPresence(tx: ChessTx, core: ChessCore, user: string): void {
  if (tx.ctx.isConnected(roomNames.lobby(tx.tenant), user)) return;
  core.lobby.removeSeeksOf(tx, [user]);
}

/** A seek's presence check: gone if its creator is not in the lobby, else checked again later. */
export function seekDue(tx: ChessTx, core: ChessCore, payload: SeekDeadlinePayload): void {
  const seek = core.lobby.read(tx).find((open) => open.id === payload.seekId);
  if (seek === undefined) return;
  if (tx.ctx.isConnected(roomNames.lobby(tx.tenant), seek.creator.userId)) {
    tx.setDeadline(deadlineIds.seek(tx.tenant, seek.id), 'seek', tx.now + core.settings.seekGraceMs, payload);
  } else {
    core.lobby.remove(tx, [seek.id]);
  }
}

/**
 * Starts a game: its room, the live-games directory, and the end of both players' other seeks.
 * The seek's creator learns the game from the directory entry (`fromSeek`).
 */
export function startGame(tx: ChessTx, core: ChessCore, state: GameState, kinds: Readonly<Record<Color, AccountKind>>, origin: { fromSeek: string | null; rematchOf: string | null }): ChessGameRecord {
  const record: ChessGameRecord = {
    ...state,
    rev: 1,
    speed: speedOf(state.timeControl),
    kinds,
    disconnect: { white: null, black: null },
    disconnectGraceMs: core.settings.disconnectGraceMs,
    rematch: null,
    ratingChange: null,
    lastEvents: [],
    resumedAt: null,
  };
  core.book.create(tx, record);
  core.lobby.removeSeeksOf(tx, [state.white.userId, state.black.userId]);
  putLiveGame(tx, {
    id: state.id,
    white: state.white,
    black: state.black,
    timeControl: state.timeControl,
    speed: record.speed,
    rated: state.rated,
    createdAt: tx.now,
    fromSeek: origin.fromSeek,
    rematchOf: origin.rematchOf,
  });
  return record;
}
