/**
 * What the clocks and countdowns show at one instant of server time: each side's time (the
 * mover's clock stops when a move leaves this device, before the server has it), which one
 * runs, the first-move countdown, and how long each absent player has to come back. Pure: the
 * page passes `serverNow` (local time plus the offset measured from the server's time messages).
 */
import type { ChessGameRecord } from '../../../../../shared/sync/layouts/chess.ts';
import { remainingAt } from '../../../../../shared/domain/chess/clock.ts';
import { sideToMove } from '../../../../../shared/domain/chess/game.ts';
import type { Color } from '../../../../../shared/domain/chess/types.ts';
import type { PendingMove } from './game-controller.ts';

export interface ClockFace {
  readonly ms: number;
  readonly running: boolean;
}

export interface ClockView {
  readonly white: ClockFace;
  readonly black: ClockFace;
  /** Before both sides have moved: the side that must move and the time it has left to. */
  readonly firstMove: { readonly side: Color; readonly ms: number } | null;
  /** Players away from the game: time left before the server may forfeit them (0 once due). */
  readonly away: Readonly<Record<Color, number | null>>;
}

export function clockView(record: ChessGameRecord, pending: Pick<PendingMove, 'sentAt'> | null, serverNow: number): ClockView {
  const running = record.status === 'active' && pending === null ? record.clock.running : null;
  const face = (color: Color): ClockFace => {
    // A move on its way: the mover's clock stands still where it was sent.
    const at = pending !== null && record.clock.running === color ? pending.sentAt : serverNow;
    return { ms: record.status === 'ended' ? record.clock[color].remainingMs : remainingAt(record.clock, color, at), running: running === color };
  };
  const firstMove =
    record.status === 'waiting-first-move' && record.firstMoveDeadlineAt !== null && pending === null
      ? { side: sideToMove(record), ms: Math.max(0, record.firstMoveDeadlineAt - serverNow) }
      : null;
  const awayOf = (color: Color): number | null => {
    const info = record.disconnect[color];
    return record.status === 'ended' || info === null ? null : Math.max(0, info.deadline - serverNow);
  };
  return { white: face('white'), black: face('black'), firstMove, away: { white: awayOf('white'), black: awayOf('black') } };
}

export interface MoveRow {
  readonly number: number;
  readonly white: { readonly ply: number; readonly san: string } | null;
  readonly black: { readonly ply: number; readonly san: string } | null;
}

/**
 * Moves in numbered rows; `ply` is the position after the move (1 = after the first move). A
 * game from a position with Black to move starts with an empty White cell.
 */
export function moveRows(initialFen: string, moves: ReadonlyArray<{ readonly san: string }>): MoveRow[] {
  const [, turn = 'w', , , , fullmove = '1'] = initialFen.split(' ');
  let number = Number.parseInt(fullmove, 10) || 1;
  const rows: MoveRow[] = [];
  let row: { number: number; white: MoveRow['white']; black: MoveRow['black'] } | null = null;
  let whiteToMove = turn !== 'b';
  for (const [index, move] of moves.entries()) {
    const cell = { ply: index + 1, san: move.san };
    if (whiteToMove) {
      row = { number, white: cell, black: null };
      rows.push(row);
    } else {
      if (row === null) {
        row = { number, white: null, black: cell };
        rows.push(row);
      } else row.black = cell;
      number += 1;
      row = null;
    }
    whiteToMove = !whiteToMove;
  }
  return rows;
}

/**
 * Clocks as they stood after `ply` moves of a recorded game (each move stores its mover's time
 * left): what a replay shows, the same numbers as the PGN's `[%clk]` comments.
 */
export function clocksAtPly(record: Pick<ChessGameRecord, 'initialFen' | 'moves' | 'timeControl'>, ply: number): Readonly<Record<Color, number>> {
  const first: Color = record.initialFen.split(' ')[1] === 'b' ? 'black' : 'white';
  const clocks: Record<Color, number> = { white: record.timeControl.initialMs, black: record.timeControl.initialMs };
  const end = Math.max(0, Math.min(ply, record.moves.length));
  for (let index = 0; index < end; index += 1) {
    const mover: Color = index % 2 === 0 ? first : first === 'white' ? 'black' : 'white';
    clocks[mover] = record.moves[index]!.clockMs;
  }
  return clocks;
}
