import { describe, expect, it } from 'vitest';
import { clockView, moveRows } from './clock-view.ts';
import { gameAfter } from './test-support/records.ts';

describe('clock view', () => {
  it('waits for both first moves, then runs the side to move', () => {
    const fresh = gameAfter([]);
    const waiting = clockView(fresh, null, 5_000);
    expect(waiting.white).toEqual({ ms: 60_000, running: false });
    expect(waiting.firstMove).toEqual({ side: 'white', ms: fresh.firstMoveDeadlineAt! - 5_000 });

    // Moves at 2000 and 3000: the clock starts for White at 3000.
    const running = gameAfter(['e2e4', 'e7e5']);
    const view = clockView(running, null, 13_000);
    expect(view.firstMove).toBeNull();
    expect(view.white).toEqual({ ms: 50_000, running: true });
    expect(view.black).toEqual({ ms: 60_000, running: false });
  });

  it('stops the mover when a move leaves this device', () => {
    const running = gameAfter(['e2e4', 'e7e5']);
    const view = clockView(running, { sentAt: 8_000 }, 20_000);
    expect(view.white).toEqual({ ms: 55_000, running: false });
    expect(view.black.running).toBe(false);
  });

  it('counts down to the forfeit of an absent player, never below zero', () => {
    const running = gameAfter(['e2e4', 'e7e5']);
    const away = { ...running, disconnect: { white: { disconnectedAt: 10_000, deadline: 40_000 }, black: null } };
    expect(clockView(away, null, 12_500).away).toEqual({ white: 27_500, black: null });
    expect(clockView(away, null, 50_000).away.white).toBe(0);
    const ended = { ...away, status: 'ended' as const };
    expect(clockView(ended, null, 12_500).away.white).toBeNull();
  });

  it('shows the stored clocks once the game has ended', () => {
    const mate = gameAfter(['e2e4', 'e7e5', 'f1c4', 'b8c6', 'd1h5', 'g8f6', 'h5f7']);
    const view = clockView(mate, null, 1_000_000);
    expect(view.white.running || view.black.running).toBe(false);
    expect(view.white.ms).toBe(mate.clock.white.remainingMs);
  });
});

describe('move rows', () => {
  it('numbers moves in pairs', () => {
    const rows = moveRows('rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1', [{ san: 'e4' }, { san: 'e5' }, { san: 'Nf3' }]);
    expect(rows).toEqual([
      { number: 1, white: { ply: 1, san: 'e4' }, black: { ply: 2, san: 'e5' } },
      { number: 2, white: { ply: 3, san: 'Nf3' }, black: null },
    ]);
  });

  it('starts with an empty White cell when Black moves first', () => {
    const rows = moveRows('4k3/8/8/8/8/8/4P3/4K3 b - - 0 40', [{ san: 'Kd7' }, { san: 'e4' }]);
    expect(rows).toEqual([
      { number: 40, white: null, black: { ply: 1, san: 'Kd7' } },
      { number: 41, white: { ply: 2, san: 'e4' }, black: null },
    ]);
  });
});

describe('clocks in a replay', () => {
  it('shows each side the time it had left after its last move so far', async () => {
    const { clocksAtPly } = await import('./clock-view.ts');
    const game = gameAfter(['e2e4', 'e7e5', 'g1f3', 'b8c6']);
    expect(clocksAtPly(game, 0)).toEqual({ white: 60_000, black: 60_000 });
    expect(clocksAtPly(game, 3)).toEqual({ white: game.moves[2]!.clockMs, black: game.moves[1]!.clockMs });
    expect(clocksAtPly(game, 99)).toEqual({ white: game.moves[2]!.clockMs, black: game.moves[3]!.clockMs });
  });
});
