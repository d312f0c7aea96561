/**
 * The offline analysis board's line: a start position, the moves played from it (both sides by
 * one person), and the ply being looked at. Playing a move where the line goes on differently
 * cuts the rest of the line off (no variations). Pure values; the page keeps one in state.
 */
import { pgnDate, pgnTagValue } from '../../../../../shared/domain/chess/pgn.ts';
import { STANDARD_FEN } from '../../../../../shared/domain/chess/types.ts';
import { positionAfter, positionOf, startOf, type MoveOption, type PlayedMove, type PositionInfo } from './position.ts';

export interface AnalysisLine {
  readonly initialFen: string;
  readonly moves: readonly PlayedMove[];
  /** Plies shown: 0 is the start position, `moves.length` the end of the line. */
  readonly cursor: number;
}

export function newLine(initialFen: string = STANDARD_FEN): AnalysisLine {
  return { initialFen, moves: [], cursor: 0 };
}

/** A line from a FEN typed or pasted by the user; null when the FEN is not a playable position. */
export function lineFromFen(fen: string): AnalysisLine | null {
  const info = positionOf(fen.trim());
  return info === null ? null : newLine(info.fen);
}

export function playOnLine(line: AnalysisLine, move: MoveOption): AnalysisLine {
  const next = line.moves[line.cursor];
  if (next !== undefined && next.uci === move.uci) return { ...line, cursor: line.cursor + 1 };
  return { ...line, moves: [...line.moves.slice(0, line.cursor), { uci: move.uci, san: move.san }], cursor: line.cursor + 1 };
}

export function goTo(line: AnalysisLine, ply: number): AnalysisLine {
  const cursor = Math.max(0, Math.min(line.moves.length, Math.trunc(ply)));
  return cursor === line.cursor ? line : { ...line, cursor };
}

/** Takes back the last move shown and cuts the line there. */
export function takeBack(line: AnalysisLine): AnalysisLine {
  if (line.cursor === 0) return line;
  return { ...line, moves: line.moves.slice(0, line.cursor - 1), cursor: line.cursor - 1 };
}

/** The position at the cursor, with the repetition history of the line. */
export function linePosition(line: AnalysisLine): PositionInfo | null {
  return positionAfter(
    line.initialFen,
    line.moves.slice(0, line.cursor).map((move) => move.uci),
  );
}

/** The line as PGN (the whole line, whatever the cursor), with SetUp/FEN for a set-up start. */
export function linePgn(line: AnalysisLine, now: number): string {
  const end = positionAfter(
    line.initialFen,
    line.moves.map((move) => move.uci),
  );
  const result = end?.outcome?.result ?? '*';
  const tags: Array<[string, string]> = [
    ['Event', 'Analysis'],
    ['Site', 'Plaza'],
    ['Date', pgnDate(now)],
    ['Round', '-'],
    ['White', '?'],
    ['Black', '?'],
    ['Result', result],
  ];
  if (line.initialFen !== STANDARD_FEN) tags.push(['SetUp', '1'], ['FEN', line.initialFen]);
  const { first, fullmove } = startOf(line.initialFen);
  const tokens: string[] = [];
  let number = fullmove;
  let white = first === 'white';
  for (const [index, move] of line.moves.entries()) {
    if (white) tokens.push(`${number}. ${move.san}`);
    else tokens.push(index === 0 ? `${number}... ${move.san}` : move.san);
    if (!white) number += 1;
    white = !white;
  }
  tokens.push(result);
  const header = tags.map(([name, value]) => `[${name} "${pgnTagValue(value)}"]`).join('\n');
  return `${header}\n\n${wrap(tokens, 80)}\n`;
}

function wrap(tokens: readonly string[], width: number): string {
  const lines: string[] = [];
  let current = '';
  for (const token of tokens) {
    if (current !== '' && current.length + 1 + token.length > width) {
      lines.push(current);
      current = token;
    } else current = current === '' ? token : `${current} ${token}`;
  }
  if (current !== '') lines.push(current);
  return lines.join('\n');
}
