import { describe, expect, it, test } from 'vitest';
import { expectOk } from '../result.ts';
import { decide } from './referee.ts';
import { createSeek, gameFromPairing, pair, rematch, seeksCompatible, type ColorChoice, type Seek } from './lobby.ts';
import { TIME_CONTROL_PRESETS } from './time-control.ts';
import { ALICE, newGame, T0, TENANT } from './test-support/fixtures.ts';

function seek(id: string, userId: string, overrides: Partial<Seek> = {}): Seek {
  return {
    id,
    tenantId: TENANT,
    creator: { userId, displayName: userId.toUpperCase(), kind: 'account', rating: 1600 },
    timeControl: TIME_CONTROL_PRESETS['3+2'],
    color: 'random',
    rated: true,
    createdAt: T0,
    ...overrides,
  };
}
const guest = (userId: string) => ({ userId, displayName: 'Guest', kind: 'guest' as const, rating: null });

describe('createSeek', () => {
  it('lets guests seek casual games only', () => {
    const rated = createSeek(seek('s1', 'g1', { creator: guest('g1') }));
    expect(!rated.ok && rated.error.code).toBe('guests-play-casual');
    expect(expectOk(createSeek(seek('s1', 'g1', { creator: guest('g1'), rated: false }))).rated).toBe(false);
  });

  it('validates the time control and ids', () => {
    const bad = createSeek(seek('s1', 'a', { timeControl: { initialMs: 5, incrementMs: 0 } }));
    expect(!bad.ok && bad.error.code).toBe('bad-time-control');
    const noId = createSeek(seek('', 'a'));
    expect(!noId.ok && noId.error.code).toBe('missing-id');
  });
});

describe('compatibility', () => {
  test.each([
    ['white vs black', 'white', 'black', true],
    ['black vs white', 'black', 'white', true],
    ['random vs white', 'random', 'white', true],
    ['black vs random', 'black', 'random', true],
    ['random vs random', 'random', 'random', true],
    ['white vs white', 'white', 'white', false],
    ['black vs black', 'black', 'black', false],
  ] as [string, ColorChoice, ColorChoice, boolean][])('colours: %s', (_name, a, b, expected) => {
    expect(seeksCompatible(seek('s1', 'a', { color: a }), seek('s2', 'b', { color: b }))).toBe(expected);
  });

  test.each([
    ['different time control', seek('s2', 'b', { timeControl: TIME_CONTROL_PRESETS['3+0'] })],
    ['rated vs casual', seek('s2', 'b', { rated: false })],
    ['same person', seek('s2', 'a')],
    ['other tenant', seek('s2', 'b', { tenantId: 'tenant-b' })],
    ['rated with a guest (forged seek)', seek('s2', 'g', { creator: guest('g') })],
  ])('never pairs: %s', (_name, other) => {
    expect(seeksCompatible(seek('s1', 'a'), other)).toBe(false);
  });
});

describe('pair', () => {
  it('returns null when nothing fits, and pairs with the oldest compatible seek', () => {
    expect(pair([], seek('new', 'n'), 0)).toBeNull();
    expect(pair([seek('s1', 'a', { rated: false })], seek('new', 'n'), 0)).toBeNull();
    const open = [seek('young', 'y', { createdAt: T0 + 500 }), seek('old', 'o', { createdAt: T0 + 100 }), seek('casual', 'c', { rated: false, createdAt: T0 })];
    const pairing = pair(open, seek('new', 'n', { createdAt: T0 + 900 }), 0);
    expect(pairing?.seekIds).toEqual(['old', 'new']);
    expect(pairing).toMatchObject({ tenantId: TENANT, rated: true, timeControl: TIME_CONTROL_PRESETS['3+2'] });
  });

  test.each([
    ['waiting wants white', 'white', 'random', 0, 'w'],
    ['waiting wants black', 'black', 'random', 0, 'n'],
    ['new wants white', 'random', 'white', 0, 'n'],
    ['new wants black', 'random', 'black', 1, 'w'],
    ['both random, bit 0', 'random', 'random', 0, 'w'],
    ['both random, bit 1', 'random', 'random', 1, 'n'],
  ] as [string, ColorChoice, ColorChoice, 0 | 1, string][])('colour: %s', (_name, waiting, incoming, bit, white) => {
    const pairing = pair([seek('s1', 'w', { color: waiting })], seek('s2', 'n', { color: incoming }), bit);
    expect(pairing?.white.userId).toBe(white);
    expect(pairing?.black.userId).toBe(white === 'w' ? 'n' : 'w');
  });

  it('turns a pairing into a game waiting for White, with ratings only when rated', () => {
    const pairing = pair([seek('s1', 'a', { color: 'white' })], seek('s2', 'b'), 0)!;
    const game = expectOk(gameFromPairing(pairing, { gameId: 'g-9', now: T0 + 5 }));
    expect(game).toMatchObject({ id: 'g-9', rated: true, status: 'waiting-first-move', createdAt: T0 + 5 });
    expect(game.white).toEqual({ userId: 'a', displayName: 'A', rating: 1600 });
    const casual = pair([seek('s1', 'a', { rated: false })], seek('s2', 'b', { rated: false }), 1)!;
    expect(expectOk(gameFromPairing(casual, { gameId: 'g-10', now: T0 })).white.rating).toBeNull();
  });
});

describe('rematch', () => {
  it('swaps colours and keeps the rest, once the game is over', () => {
    const game = newGame({ timeControl: TIME_CONTROL_PRESETS['15+10'], firstMoveTimeoutMs: 30_000 });
    const early = rematch(game, { gameId: 'g-2', now: T0 + 1 });
    expect(!early.ok && early.error.code).toBe('game-not-over');
    const over = expectOk(decide(game, { type: 'abort', gameId: game.id }, ALICE, T0 + 1_000)).state;
    const next = expectOk(rematch(over, { gameId: 'g-2', now: T0 + 2_000, ratings: { alice: 1490 } }));
    expect(next.white).toEqual({ ...game.black });
    expect(next.black).toEqual({ ...game.white, rating: 1490 });
    expect(next).toMatchObject({ id: 'g-2', rated: true, timeControl: TIME_CONTROL_PRESETS['15+10'], firstMoveTimeoutMs: 30_000, status: 'waiting-first-move', moves: [] });
  });
});

describe('set-up positions', () => {
  const endgame = '4k3/8/8/8/8/8/4P3/4K3 w - - 0 1';

  it('keeps a casual seek’s start position and pairs only seeks from the same one', () => {
    const a = expectOk(createSeek(seek('s1', 'a', { rated: false, initialFen: endgame })));
    expect(a.initialFen).toBe(endgame);
    const standard = expectOk(createSeek(seek('s2', 'b', { rated: false })));
    expect(seeksCompatible(a, standard)).toBe(false);
    const b = expectOk(createSeek(seek('s3', 'b', { rated: false, initialFen: endgame })));
    const pairing = pair([a], b, 0)!;
    expect(pairing.initialFen).toBe(endgame);
    expect(expectOk(gameFromPairing(pairing, { gameId: 'g-fen', now: T0 })).initialFen).toBe(endgame);
  });

  it('drops a standard FEN, refuses rated set-ups, bad and finished positions', () => {
    expect(expectOk(createSeek(seek('s1', 'a', { initialFen: 'rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1' }))).initialFen).toBeUndefined();
    const rated = createSeek(seek('s1', 'a', { rated: true, initialFen: endgame }));
    expect(!rated.ok && rated.error.code).toBe('rated-needs-standard-start');
    const bad = createSeek(seek('s1', 'a', { rated: false, initialFen: 'not a fen' }));
    expect(!bad.ok && bad.error.code).toBe('bad-fen');
    const stalemate = createSeek(seek('s1', 'a', { rated: false, initialFen: 'k7/2Q5/1K6/8/8/8/8/8 b - - 0 1' }));
    expect(!stalemate.ok && stalemate.error.code).toBe('bad-fen');
  });
});
