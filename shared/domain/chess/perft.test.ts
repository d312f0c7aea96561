/**
 * Documents the rules engine: chess.js 1.4.0 perft counts against published values
 * (chessprogramming.org, Peter Ellis Jones' edge cases), at depths that keep this under 1 s.
 */
import { Chess } from 'chess.js';
import { expect, test } from 'vitest';

test.each([
  ['start position', 'rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1', 3, 8_902],
  ['Kiwipete', 'r3k2r/p1ppqpb1/bn2pnp1/3PN3/1p2P3/2N2Q1p/PPPBBPPP/R3K2R w KQkq - 0 1', 2, 2_039],
  ['position 3 (en passant, pins)', '8/2p5/3p4/KP5r/1R3p1k/8/4P1P1/8 w - - 0 1', 3, 2_812],
  ['position 4 (promotions, castling)', 'r3k2r/Pppp1ppp/1b3nbN/nP6/BBP1P3/q4N2/Pp1P2PP/R2Q1RK1 w kq - 0 1', 2, 264],
  ['illegal en passant #1', '3k4/3p4/8/K1P4r/8/8/8/8 b - - 0 1', 4, 10_138],
  ['en passant capture gives check', '8/8/1k6/2b5/2pP4/8/5K2/8 b - d3 0 1', 4, 13_931],
  ['short castle gives check', '5k2/8/8/8/8/8/8/4K2R w K - 0 1', 4, 6_399],
  ['castling prevented', 'r3k2r/8/3Q4/8/8/5q2/8/R3K2R b KQkq - 0 1', 2, 1_494],
  ['underpromote to check', '8/P1k5/K7/8/8/8/8/8 w - - 0 1', 4, 1_329],
  ['self stalemate', 'K1k5/8/P7/8/8/8/8/8 w - - 0 1', 4, 63],
  ['discovered check', '8/8/1P2K3/8/2n5/1q6/8/5k2 b - - 0 1', 3, 5_160],
] as [string, string, number, number][])('perft %s: %s depth %i = %i nodes', (_name, fen, depth, nodes) => {
  expect(new Chess(fen).perft(depth)).toBe(nodes);
});
