/**
 * The chess referee: one pure function from (game, command, actor, server time) to a new game
 * plus events, or a rejection with a typed code. The server runs it as the authority; the
 * client runs the same code to preview a pending intent.
 *
 * Rejections never change the game. One kind of rejection carries a `consequence`: when a
 * deadline had already fallen at `now` (the mover's flag, the first-move timer), the command is
 * refused and `consequence` is the decision that deadline forces. The server commits it in
 * the same transaction as the refusal; a client shows it as the likely outcome.
 */
import type { Chess } from 'chess.js';
import { ok, type DomainError, type Result } from '../result.ts';
import { flagClock, startClock, stepClock, stopClock } from './clock.ts';
import { isServerCommand, type Actor, type ChessCommand, type MoveSpec, type PlayerCommand } from './commands.ts';
import { boardOutcome, parseMoveInput, playMove, replay, uciOf } from './engine.ts';
import { colorOf, nextDeadline, sideToMove, type GameState, type MoveRecord, type Termination } from './game.ts';
import { hasInsufficientMatingMaterial, piecesOfFen } from './material.ts';
import { opposite, winResult, type Color, type GameResult } from './types.ts';

export const REJECTION_CODES = [
  'wrong-game',
  /** Spectators, strangers, users of another tenant, and the server sending a player command. */
  'not-a-player',
  /** A server command (flag, forfeit, first-move timeout) from anyone but the server. */
  'not-authorized',
  'game-over',
  'stale-ply',
  'not-your-turn',
  'bad-move-format',
  'illegal-move',
  'promotion-required',
  /** The mover's time had run out; see `consequence`. */
  'flagged',
  'not-abortable',
  /** Resign, draw and forfeit wait until both sides have moved; before that, abort. */
  'not-started',
  'draw-already-offered',
  'no-draw-offer',
  /** A flag or first-move timeout asked for before its deadline. */
  'not-due',
  'not-leavers-turn',
  /** The stored moves do not replay: a bug or a tampered document, never a player's fault. */
  'corrupt-state',
] as const;
export type RejectionCode = (typeof REJECTION_CODES)[number];

export type GameEvent =
  | {
      readonly type: 'move-played';
      readonly ply: number;
      readonly san: string;
      readonly uci: string;
      readonly by: Color;
      readonly at: number;
      readonly clockMs: number;
      readonly moveTimeMs: number;
      readonly lagCompensationMs: number;
    }
  | { readonly type: 'clock-started'; readonly side: Color; readonly at: number }
  | { readonly type: 'draw-offered'; readonly by: Color; readonly at: number }
  | { readonly type: 'draw-declined'; readonly by: Color; readonly at: number }
  /** The offer's recipient moved instead of answering. */
  | { readonly type: 'draw-offer-lapsed'; readonly by: Color; readonly at: number }
  | {
      readonly type: 'game-ended';
      readonly result: GameResult | null;
      readonly termination: Termination;
      readonly winner: Color | null;
      /** Who resigned, aborted, flagged or left; null for board results and agreed draws. */
      readonly by: Color | null;
      readonly at: number;
    };

export interface Decision {
  readonly state: GameState;
  readonly events: readonly GameEvent[];
}

export interface RefereeRejection extends DomainError<RejectionCode> {
  readonly consequence?: Decision;
}

export interface RefereeContext {
  /** Server-measured one-way lag per user id (round trip / 2 of the `time` messages). */
  readonly lagMs?: Readonly<Record<string, number>>;
  /**
   * The position after `state.moves`, as `replay(state.initialFen, ucis)` builds it, kept by the
   * caller between moves so that a move costs one chess.js move instead of a replay (about
   * 25 ms at 200 plies). `decide` plays an accepted move on it and leaves it unchanged on any
   * rejection. One whose FEN is not the state's is ignored and the moves are replayed.
   */
  readonly position?: Chess;
}

type Decided = Result<Decision, RefereeRejection>;

function reject(code: RejectionCode, message: string, consequence?: Decision): { readonly ok: false; readonly error: RefereeRejection } {
  return { ok: false, error: consequence === undefined ? { code, message } : { code, message, consequence } };
}

function accept(state: GameState, events: readonly GameEvent[]): { readonly ok: true; readonly value: Decision } {
  return { ok: true, value: { state, events } };
}

export function decide(state: GameState, command: ChessCommand, actor: Actor, now: number, context: RefereeContext = {}): Decided {
  if (!Number.isFinite(now)) throw new TypeError('now must be a finite server time in ms');
  if (command.gameId !== state.id) return reject('wrong-game', 'this command is for another game');
  const player = actor.kind === 'user' && actor.tenantId === state.tenantId ? colorOf(state, actor.userId) : null;
  if (isServerCommand(command)) {
    if (actor.kind !== 'server') return reject('not-authorized', 'only the server decides deadlines and forfeits');
  } else if (player === null) {
    return reject('not-a-player', 'only the two players act in a game');
  }
  if (state.status === 'ended') return reject('game-over', 'the game is over');

  const due = settleDeadlines(state, now);
  if (due !== null) {
    const deadline = nextDeadline(state);
    if ((command.type === 'flag' && deadline?.kind === 'flag') || (command.type === 'firstMoveTimeout' && deadline?.kind === 'first-move')) {
      return { ok: true, value: due };
    }
    const ownFlag = deadline?.kind === 'flag' && deadline.side === player;
    return reject(ownFlag ? 'flagged' : 'game-over', ownFlag ? 'your time ran out' : 'the game ended before this arrived', due);
  }

  if (isServerCommand(command)) {
    switch (command.type) {
      case 'flag':
        return reject('not-due', 'no flag has fallen');
      case 'firstMoveTimeout':
        return reject('not-due', 'the first-move timer has not run out');
      case 'disconnectForfeit':
        return decideForfeit(state, command.userId, now);
    }
  }
  if (player === null || actor.kind !== 'user') return reject('not-a-player', 'only the two players act in a game');
  return decidePlayer(state, command, player, now, context.lagMs?.[actor.userId] ?? 0, context.position);
}

/** The decision a deadline due at `now` forces, or null. The server may call it on its timer. */
export function settleDeadlines(state: GameState, now: number): Decision | null {
  const deadline = nextDeadline(state);
  if (deadline === null || now < deadline.at) return null;
  if (deadline.kind === 'flag') return endByTimeout(state, deadline.side, now);
  return end(state, null, 'first-move-timeout', deadline.side, now).value;
}

function decidePlayer(state: GameState, command: PlayerCommand, me: Color, now: number, lagMs: number, position: Chess | undefined): Decided {
  const started = state.status === 'active';
  const offer = state.drawOffer;
  switch (command.type) {
    case 'move':
      return decideMove(state, command.expectedPly, command.move, me, now, lagMs, position);
    case 'abort':
      if (started) return reject('not-abortable', 'a game can be aborted only before both sides have moved');
      return end(state, null, 'aborted', me, now);
    case 'resign':
      if (!started) return reject('not-started', 'before both sides have moved, abort instead');
      return end(state, winResult(opposite(me)), 'resignation', me, now);
    case 'offerDraw':
      if (!started) return reject('not-started', 'draws can be offered once both sides have moved');
      if (offer?.by === me) return reject('draw-already-offered', 'your draw offer is already on the table');
      // Offering while the opponent's offer stands is agreeing to it (as on lichess).
      if (offer !== null) return end(state, '1/2-1/2', 'draw-agreement', null, now);
      return accept({ ...state, drawOffer: { by: me, ply: state.moves.length } }, [{ type: 'draw-offered', by: me, at: now }]);
    case 'acceptDraw':
      if (offer === null || offer.by === me) return reject('no-draw-offer', 'there is no draw offer from your opponent');
      return end(state, '1/2-1/2', 'draw-agreement', null, now);
    case 'declineDraw':
      if (offer === null || offer.by === me) return reject('no-draw-offer', 'there is no draw offer from your opponent');
      return accept({ ...state, drawOffer: null }, [{ type: 'draw-declined', by: me, at: now }]);
  }
}

function decideMove(state: GameState, expectedPly: number, spec: MoveSpec, me: Color, now: number, lagMs: number, position: Chess | undefined): Decided {
  const ply = state.moves.length;
  if (expectedPly !== ply) return reject('stale-ply', `the game is at ply ${ply}, not ${expectedPly}`);
  if (sideToMove(state) !== me) return reject('not-your-turn', 'it is your opponent’s turn');
  const input = parseMoveInput(spec);
  if (!input.ok) return reject('bad-move-format', input.error.message);
  const chess = position !== undefined && position.fen() === state.fen ? ok(position) : replay(state.initialFen, state.moves.map((m) => m.uci));
  if (!chess.ok) return reject('corrupt-state', chess.error.message);
  const played = playMove(chess.value, input.value);
  if (!played.ok) return reject(played.error.code === 'promotion-required' ? 'promotion-required' : 'illegal-move', played.error.message);
  const outcome = boardOutcome(chess.value);

  const step = stepClock(state.clock, { now, lagMs, gameContinues: outcome === null });
  if (step.flagged) {
    chess.value.undo();
    return reject('flagged', 'your time ran out before the move arrived', endByTimeout(state, me, now));
  }

  const record: MoveRecord = { san: played.value.san, uci: uciOf(played.value), at: now, clockMs: step.clock[me].remainingMs };
  const events: GameEvent[] = [
    { type: 'move-played', ply: ply + 1, san: record.san, uci: record.uci, by: me, at: now, clockMs: record.clockMs, moveTimeMs: step.moveTimeMs, lagCompensationMs: step.compensationMs },
  ];
  let next: GameState = { ...state, moves: [...state.moves, record], fen: chess.value.fen(), clock: step.clock };
  if (state.drawOffer !== null && state.drawOffer.by !== me) {
    next = { ...next, drawOffer: null };
    events.push({ type: 'draw-offer-lapsed', by: state.drawOffer.by, at: now });
  }
  if (outcome !== null) {
    const ended = end(next, outcome.result, outcome.termination, null, now);
    return accept(ended.value.state, [...events, ...ended.value.events]);
  }
  if (state.status === 'waiting-first-move') {
    if (ply + 1 >= 2) {
      next = { ...next, status: 'active', clock: startClock(next.clock, opposite(me), now), startedAt: now, firstMoveDeadlineAt: null };
      events.push({ type: 'clock-started', side: opposite(me), at: now });
    } else {
      next = { ...next, firstMoveDeadlineAt: now + state.firstMoveTimeoutMs };
    }
  }
  return accept(next, events);
}

function decideForfeit(state: GameState, userId: string, now: number): Decided {
  const leaver = colorOf(state, userId);
  if (leaver === null) return reject('not-a-player', 'that user is not playing this game');
  if (state.status !== 'active') return reject('not-started', 'before both sides have moved the first-move timer applies');
  if (sideToMove(state) !== leaver) return reject('not-leavers-turn', 'a disconnected player forfeits only on their own turn');
  const cannotMate = opponentCannotMate(state, leaver);
  return cannotMate ? end(state, '1/2-1/2', 'abandoned-vs-insufficient-material', leaver, now) : end(state, winResult(opposite(leaver)), 'abandoned', leaver, now);
}

/** `loser` ran out of time: they lose unless the opponent could never mate (FIDE 6.9). */
function endByTimeout(state: GameState, loser: Color, now: number): Decision {
  const flagged: GameState = { ...state, clock: state.clock.running === loser ? flagClock(state.clock) : state.clock };
  const cannotMate = opponentCannotMate(state, loser);
  const decided = cannotMate ? end(flagged, '1/2-1/2', 'timeout-vs-insufficient-material', loser, now) : end(flagged, winResult(opposite(loser)), 'timeout', loser, now);
  return decided.value;
}

function opponentCannotMate(state: GameState, side: Color): boolean {
  const pieces = piecesOfFen(state.fen);
  return pieces.ok && hasInsufficientMatingMaterial(pieces.value, opposite(side));
}

function end(state: GameState, result: GameResult | null, termination: Termination, by: Color | null, now: number): { readonly ok: true; readonly value: Decision } {
  const winner = result === '1-0' ? 'white' : result === '0-1' ? 'black' : null;
  return accept(
    { ...state, status: 'ended', result, termination, drawOffer: null, firstMoveDeadlineAt: null, endedAt: now, clock: stopClock(state.clock, now) },
    [{ type: 'game-ended', result, termination, winner, by, at: now }],
  );
}
