/**
 * Keyboard move entry: what a person types ("e4", "Nf3", "nf3", "O-O", "0-0", "exd5", "e8=Q",
 * "e7e8q", "g1-f3") matched against the legal moves of the position. Pure; the board asks for
 * the promotion piece when a typed pawn move leaves it out.
 */
import type { MoveOption } from './position.ts';

export type TypedMove =
  | { readonly kind: 'move'; readonly move: MoveOption }
  /** A legal pawn move to the last rank, typed without its piece. */
  | { readonly kind: 'needs-promotion'; readonly from: string; readonly to: string }
  | { readonly kind: 'error'; readonly message: string };

const LONG_ALGEBRAIC = /^[KQRBN]?([a-h][1-8])[-x:]?([a-h][1-8])=?([qrbnQRBN])?$/;

/** SAN without check marks, annotations, captures, `=` and dashes; castling as OO / OOO. */
function normalizeSan(text: string): string {
  return text
    .replace(/[+#!?]/g, '')
    .replace(/0/g, 'O')
    .replace(/^o-?o(-?o)?$/i, (match) => match.toUpperCase())
    .replace(/[x:=-]/g, '');
}

/** A piece move's SAN without the file or rank that tells two such pieces apart. */
function withoutDisambiguation(san: string): string {
  return san.replace(/^([KQRBN])[a-h]?[1-8]?([a-h][1-8])$/, '$1$2');
}

export function matchTypedMove(typed: string, moves: readonly MoveOption[]): TypedMove {
  const text = typed.trim().replace(/\s+/g, '');
  if (text === '') return { kind: 'error', message: 'Type a move, for example e4, Nf3 or e7e8q.' };
  if (moves.length === 0) return { kind: 'error', message: 'There are no moves to make in this position.' };

  const long = LONG_ALGEBRAIC.exec(text);
  if (long) {
    const [, from = '', to = '', piece] = long;
    const candidates = moves.filter((move) => move.from === from && move.to === to);
    if (candidates.length > 0) {
      if (piece !== undefined) {
        const chosen = candidates.find((move) => move.promotion === piece.toLowerCase());
        return chosen ? { kind: 'move', move: chosen } : { kind: 'error', message: `${text} is not a legal move here.` };
      }
      if (candidates.some((move) => move.promotion !== undefined)) return { kind: 'needs-promotion', from, to };
      return { kind: 'move', move: candidates[0]! };
    }
  }

  const wanted = normalizeSan(text);
  const exact = moves.filter((move) => normalizeSan(move.san) === wanted);
  if (exact.length === 1) return { kind: 'move', move: exact[0]! };
  let loose = exact.length > 1 ? exact : moves.filter((move) => normalizeSan(move.san).toLowerCase() === wanted.toLowerCase());
  // "Nd2" when two knights reach d2: chess.js spells them "Nbd2" and "Nfd2".
  if (loose.length === 0) loose = moves.filter((move) => withoutDisambiguation(normalizeSan(move.san)) === wanted);
  if (loose.length === 1) return { kind: 'move', move: loose[0]! };
  if (loose.length > 1) return { kind: 'error', message: `${text} could be ${loose.map((move) => move.san).join(' or ')}: type one of them.` };

  // A pawn reaching the last rank typed without its piece ("e8", "exd8").
  const promotions = moves.filter((move) => move.promotion !== undefined && normalizeSan(move.san).toLowerCase().slice(0, -1) === wanted.toLowerCase());
  const targets = new Set(promotions.map((move) => `${move.from}${move.to}`));
  if (targets.size === 1) return { kind: 'needs-promotion', from: promotions[0]!.from, to: promotions[0]!.to };
  return { kind: 'error', message: `${text} is not a legal move here.` };
}
