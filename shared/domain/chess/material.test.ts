import { Chess } from 'chess.js';
import { describe, expect, it, test } from 'vitest';
import { expectOk } from '../result.ts';
import { hasInsufficientMatingMaterial, materialSummary, piecesOfFen } from './material.ts';
import { STANDARD_FEN, type Color } from './types.ts';

const pieces = (fen: string) => expectOk(piecesOfFen(fen));

describe('insufficient mating material for one side (lichess InsufficientMatingMaterial(board, color))', () => {
  test.each([
    ['lone king', '4k3/8/8/8/8/8/8/4K2Q w - - 0 1', 'black', true],
    ['king and queen', '4k3/8/8/8/8/8/8/4K2Q w - - 0 1', 'white', false],
    ['king and rook', '4k3/8/8/8/8/8/8/R3K3 w - - 0 1', 'white', false],
    ['king and pawn', '4k3/8/8/8/8/8/P7/4K3 w - - 0 1', 'white', false],
    ['one knight vs bare king', '4k3/8/8/8/8/8/8/4KN2 w - - 0 1', 'white', true],
    ['one knight vs king and queens', '3qk3/8/8/8/8/8/q7/4KN2 w - - 0 1', 'white', true],
    ['one knight vs king and rook (the rook can block)', '3rk3/8/8/8/8/8/8/4KN2 w - - 0 1', 'white', false],
    ['one knight vs king and pawn', '4k3/4p3/8/8/8/8/8/4KN2 w - - 0 1', 'white', false],
    ['two knights', '4k3/8/8/8/8/8/8/3NKN2 w - - 0 1', 'white', false],
    ['one bishop vs bare king', '4k3/8/8/8/8/8/8/4KB2 w - - 0 1', 'white', true],
    ['one bishop vs king and rook', '3rk3/8/8/8/8/8/8/4KB2 w - - 0 1', 'white', true],
    ['one bishop vs king and knight', '3nk3/8/8/8/8/8/8/4KB2 w - - 0 1', 'white', false],
    ['one bishop vs king and pawn', '4k3/7p/8/8/8/8/8/4KB2 w - - 0 1', 'white', false],
    ['bishops on one shade (f1, h3)', '4k3/8/8/8/8/7B/8/4KB2 w - - 0 1', 'white', true],
    ['bishops on both shades (f1, c1)', '4k3/8/8/8/8/8/8/2B1KB2 w - - 0 1', 'white', false],
    ['same-shade bishops on both sides (c8, f1)', '2b1k3/8/8/8/8/8/8/4KB2 w - - 0 1', 'white', true],
    ['opposite-shade bishops on both sides (f8, f1)', '4kb2/8/8/8/8/8/8/4KB2 w - - 0 1', 'white', false],
    ['bishop and knight', '4k3/8/8/8/8/8/8/4KBN1 w - - 0 1', 'white', false],
  ] as [string, string, Color, boolean][])('%s → %s', (_name, fen, color, expected) => {
    expect(hasInsufficientMatingMaterial(pieces(fen), color)).toBe(expected);
  });

  it('agrees with chess.js whenever chess.js calls the whole board insufficient', () => {
    for (const fen of ['4k3/8/8/8/8/8/8/4K3 w - - 0 1', '4k3/8/8/8/8/8/8/4KB2 w - - 0 1', '4k3/8/8/8/8/8/8/4KN2 w - - 0 1', '2b1k3/8/8/8/8/8/8/4KB2 w - - 0 1']) {
      expect(new Chess(fen).isInsufficientMaterial()).toBe(true);
      expect(hasInsufficientMatingMaterial(pieces(fen), 'white')).toBe(true);
      expect(hasInsufficientMatingMaterial(pieces(fen), 'black')).toBe(true);
    }
  });
});

describe('piecesOfFen', () => {
  it('reads every piece of the start position onto the right squares', () => {
    const start = pieces(STANDARD_FEN);
    expect(start).toHaveLength(32);
    expect(start).toContainEqual({ square: 'e1', role: 'king', color: 'white' });
    expect(start).toContainEqual({ square: 'd8', role: 'queen', color: 'black' });
    expect(start).toContainEqual({ square: 'h7', role: 'pawn', color: 'black' });
  });

  test.each([
    ['seven ranks', '8/8/8/8/8/8/8 w - - 0 1'],
    ['a short rank', '4k3/8/8/8/8/8/8/4K2 w - - 0 1'],
    ['a long rank', '4k3/8/8/8/8/8/8/4K4 w - - 0 1'],
    ['an unknown piece', '4k3/8/8/8/8/8/8/4K2X w - - 0 1'],
    ['empty', ''],
  ])('rejects %s', (_name, fen) => {
    const result = piecesOfFen(fen);
    expect(!result.ok && result.error.code).toBe('bad-fen');
  });
});

describe('materialSummary', () => {
  it('is balanced at the start', () => {
    const summary = materialSummary(pieces(STANDARD_FEN));
    expect(summary.advantage).toBe(0);
    expect(summary.points).toEqual({ white: 39, black: 39 });
    expect(summary.imbalance.white).toEqual({ queen: 0, rook: 0, bishop: 0, knight: 0, pawn: 0 });
  });

  it('shows what each side is up, role by role, and the point difference', () => {
    // White has won a knight and lost a pawn; Black has an extra pawn.
    const summary = materialSummary(pieces('r1bqkbnr/pppppppp/8/8/8/8/1PPPPPPP/RNBQKBNR w KQkq - 0 1'));
    expect(summary.imbalance.white).toEqual({ queen: 0, rook: 0, bishop: 0, knight: 1, pawn: 0 });
    expect(summary.imbalance.black).toEqual({ queen: 0, rook: 0, bishop: 0, knight: 0, pawn: 1 });
    expect(summary.advantage).toBe(2);
  });

  it('counts a promoted pawn as its new piece', () => {
    const summary = materialSummary(pieces('Q3k3/8/8/8/8/8/8/4K3 b - - 0 1'));
    expect(summary.counts.white).toEqual({ queen: 1, rook: 0, bishop: 0, knight: 0, pawn: 0 });
    expect(summary.advantage).toBe(9);
  });
});
