import { describe, expect, it, test } from 'vitest';
import { expectOk } from '../result.ts';
import { createGame, nextDeadline, sideToMove, colorOf, winnerOf, type NewGame } from './game.ts';
import { gameStateSchema, parseGameState } from './game-schema.ts';
import { TIME_CONTROL_PRESETS } from './time-control.ts';
import { STANDARD_FEN } from './types.ts';
import { newGame, playAll, T0, TENANT } from './test-support/fixtures.ts';

const base: NewGame = {
  id: 'g',
  tenantId: TENANT,
  white: { userId: 'alice', displayName: 'Alice', rating: null },
  black: { userId: 'bob', displayName: 'Bob', rating: null },
  rated: false,
  timeControl: TIME_CONTROL_PRESETS['5+0'],
  now: T0,
};

describe('createGame', () => {
  it('starts from the standard position, waiting for White, clocks full', () => {
    const game = expectOk(createGame(base));
    expect(game).toMatchObject({ v: 1, fen: STANDARD_FEN, initialFen: STANDARD_FEN, status: 'waiting-first-move', result: null, termination: null, moves: [] });
    expect(game.clock.white.remainingMs).toBe(300_000);
    expect(sideToMove(game)).toBe('white');
    expect(colorOf(game, 'bob')).toBe('black');
    expect(colorOf(game, 'carol')).toBeNull();
    expect(winnerOf(game)).toBeNull();
    expect(nextDeadline(game)).toEqual({ kind: 'first-move', side: 'white', at: T0 + 20_000 });
  });

  test.each([
    ['missing id', { ...base, id: '' }, 'missing-id'],
    ['playing oneself', { ...base, black: { ...base.white } }, 'same-player'],
    ['time control out of bounds', { ...base, timeControl: { initialMs: 1_000, incrementMs: 0 } }, 'bad-time-control'],
    ['broken FEN', { ...base, initialFen: 'not a fen' }, 'bad-fen'],
    ['two white kings', { ...base, initialFen: '4k3/8/8/8/8/8/8/K3K3 w - - 0 1' }, 'bad-fen'],
    ['position already mated', { ...base, initialFen: 'R3k3/8/4K3/8/8/8/8/8 b - - 0 1' }, 'bad-fen'],
    ['rated from a set-up position', { ...base, rated: true, initialFen: '4k3/8/8/8/8/8/4P3/4K3 w - - 0 1' }, 'rated-needs-standard-start'],
    ['zero first-move timeout', { ...base, firstMoveTimeoutMs: 0 }, 'bad-timeout'],
    ['fractional creation time', { ...base, now: T0 + 0.5 }, 'bad-time'],
  ] as [string, NewGame, string][])('refuses %s', (_name, input, code) => {
    const result = createGame(input);
    expect(!result.ok && result.error.code).toBe(code);
  });
});

describe('parseGameState', () => {
  const played = playAll(newGame(), ['e2e4', 'e7e5', 'g1f3'], T0).state;

  it('decodes a game that went through JSON', () => {
    expect(expectOk(parseGameState(JSON.parse(JSON.stringify(played))))).toEqual(played);
  });

  test.each([
    ['unknown version', { ...played, v: 2 }],
    ['extra key', { ...played, admin: true }],
    ['fractional time', { ...played, createdAt: 1.5 }],
    ['unknown status', { ...played, status: 'paused' }],
    ['FEN that does not follow from the moves', { ...played, fen: STANDARD_FEN }],
    ['SAN that does not match the UCI', { ...played, moves: played.moves.map((m, i) => (i === 0 ? { ...m, san: 'd4' } : m)) }],
    ['moves that do not replay', { ...played, moves: played.moves.map((m, i) => (i === 0 ? { ...m, uci: 'e2e5' } : m)) }],
    ['promotion piece smuggled onto a plain move', { ...played, moves: played.moves.map((m, i) => (i === 0 ? { ...m, uci: 'e2e4q' } : m)) }],
    ['ended without a termination', { ...played, status: 'ended' }],
    ['not an object', 'game'],
  ])('rejects %s', (_name, input) => {
    const result = parseGameState(input);
    expect(!result.ok && result.error.code).toBe('bad-game-state');
  });

  it('has a schema that types as GameState', () => {
    expect(gameStateSchema.safeParse(played).success).toBe(true);
  });
});
