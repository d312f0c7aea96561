/**
 * `playMove` and `boardOutcome` take shortcuts through chess.js internals (one legal-move
 * generation per move, game over from the first legal reply). These tests pin both to
 * chess.js's public answers: every legal move and a spread of illegal inputs in random games
 * from varied start positions, and every position of the testdata games.
 */
import { Chess } from 'chess.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boardOutcome, loadPgn, playMove, USES_CHESS_INTERNALS, type BoardOutcome, type MoveInput } from './engine.ts';
import { PROMOTION_PIECES } from './types.ts';

const files = import.meta.glob<string>('./testdata/*.pgn', { query: '?raw', import: 'default', eager: true });

const STARTS = [
  'rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1',
  'r3k2r/p1ppqpb1/bn2pnp1/3PN3/1p2P3/2N2Q1p/PPPBBPPP/R3K2R w KQkq - 0 1',
  '8/2p5/3p4/KP5r/1R3p1k/8/4P1P1/8 w - - 0 1',
  'r3k2r/Pppp1ppp/1b3nbN/nP6/BBP1P3/q4N2/Pp1P2PP/R2Q1RK1 w kq - 0 1',
  '8/P1k5/K7/8/8/8/8/8 w - - 0 1',
  'K1k5/8/P7/8/8/8/8/8 w - - 0 1',
  '8/8/1k6/2b5/2pP4/8/5K2/8 b - d3 0 1',
  '8/8/8/8/8/2k5/8/K1Q5 w - - 0 1',
  '4k3/8/8/8/8/8/8/4K1NN w - - 98 80',
  // A rival knight pinned to its king: the SAN of Nb5-c3 needs no disambiguator.
  'k7/8/8/1N6/8/8/8/K2N3r w - - 0 1',
  'r1bqkb1r/pppp1ppp/2n2n2/4p2Q/2B1P3/8/PPPP1PPP/RNB1K1NR w KQkq - 4 4',
];

/** chess.js's own answer, in the order the domain checks them. */
function publicOutcome(chess: Chess): BoardOutcome | null {
  if (chess.isCheckmate()) return { result: chess.turn() === 'w' ? '0-1' : '1-0', termination: 'checkmate' };
  if (chess.isStalemate()) return { result: '1/2-1/2', termination: 'stalemate' };
  if (chess.isInsufficientMaterial()) return { result: '1/2-1/2', termination: 'insufficient-material' };
  if (chess.isThreefoldRepetition()) return { result: '1/2-1/2', termination: 'threefold-repetition' };
  if (chess.isDrawByFiftyMoves()) return { result: '1/2-1/2', termination: 'fifty-move-rule' };
  return null;
}

/** What `playMove` must answer, from chess.js's public `move` on a copy with the same history. */
function publicPlay(chess: Chess, input: MoveInput): { ok: true; san: string; fen: string } | { ok: false; code: string } {
  try {
    const move = chess.move(input.promotion === undefined ? { from: input.from, to: input.to } : { ...input });
    if (move.promotion !== input.promotion) {
      chess.undo();
      return { ok: false, code: 'illegal-move' };
    }
    const fen = chess.fen();
    chess.undo();
    return { ok: true, san: move.san, fen };
  } catch {
    const promotes = chess.moves({ verbose: true }).some((m) => m.from === input.from && m.to === input.to && m.promotion !== undefined);
    return { ok: false, code: promotes && input.promotion === undefined ? 'promotion-required' : 'illegal-move' };
  }
}

/** Every legal move, each with no piece, a wrong piece and every piece; and some non-moves. */
function candidates(chess: Chess, squares: readonly [string, string][]): MoveInput[] {
  const inputs: MoveInput[] = [];
  for (const move of chess.moves({ verbose: true })) {
    inputs.push({ from: move.from, to: move.to });
    for (const promotion of PROMOTION_PIECES) inputs.push({ from: move.from, to: move.to, promotion });
  }
  for (const [from, to] of squares) inputs.push({ from, to }, { from, to, promotion: 'q' });
  return inputs;
}

function expectSame(fast: Chess, reference: Chess, input: MoveInput): void {
  const expected = publicPlay(reference, input);
  const played = playMove(fast, input);
  if (expected.ok) {
    expect(played.ok && played.value.san).toBe(expected.san);
    expect(fast.fen()).toBe(expected.fen);
    fast.undo();
  } else {
    expect(!played.ok && played.error.code).toBe(expected.code);
  }
  expect(fast.fen()).toBe(reference.fen());
}

const square = fc.tuple(fc.constantFrom(...'abcdefgh'), fc.constantFrom(...'12345678')).map(([f, r]) => `${f}${r}`);

describe('engine shortcuts agree with chess.js', () => {
  it('uses the chess.js 1.4.0 internals (else the public fallback is what runs)', () => {
    expect(USES_CHESS_INTERNALS).toBe(true);
  });

  it('leaves out a pinned rival from the disambiguator', () => {
    const played = playMove(new Chess('k7/8/8/1N6/8/8/8/K2N3r w - - 0 1'), { from: 'b5', to: 'c3' });
    expect(played.ok && played.value.san).toBe('Nc3');
  });

  it('random games: every candidate move and the outcome after each ply', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...STARTS),
        fc.array(fc.nat(), { minLength: 1, maxLength: 60 }),
        fc.array(fc.tuple(square, square), { maxLength: 6 }),
        (start, picks, squares) => {
          const fast = new Chess(start);
          const reference = new Chess(start);
          expect(boardOutcome(fast)).toEqual(publicOutcome(reference));
          for (const pick of picks) {
            if (publicOutcome(reference) !== null) break;
            for (const input of candidates(reference, squares)) expectSame(fast, reference, input);
            const legal = reference.moves({ verbose: true });
            const move = legal[pick % legal.length]!;
            const input = move.promotion === undefined ? { from: move.from, to: move.to } : { from: move.from, to: move.to, promotion: move.promotion as MoveInput['promotion'] };
            expect(playMove(fast, input).ok).toBe(true);
            reference.move(move);
            expect(fast.fen()).toBe(reference.fen());
            expect(boardOutcome(fast)).toEqual(publicOutcome(reference));
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it.each(Object.entries(files))('%s: the outcome of every position', (_path, text) => {
    const game = loadPgn(text);
    expect(game.ok).toBe(true);
    if (!game.ok) return;
    const fast = new Chess(game.value.initialFen);
    const reference = new Chess(game.value.initialFen);
    for (const move of game.value.moves) {
      const played = playMove(fast, { from: move.uci.slice(0, 2), to: move.uci.slice(2, 4), promotion: move.uci[4] as MoveInput['promotion'] });
      expect(played.ok && played.value.san).toBe(move.san);
      reference.move(move.san);
      expect(fast.fen()).toBe(reference.fen());
      expect(boardOutcome(fast)).toEqual(publicOutcome(reference));
    }
  });
});
