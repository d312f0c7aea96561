import { describe, expect, it } from 'vitest';
import { minor } from '../money.ts';
import { expectOk } from '../result.ts';
import { createMarket } from './market.ts';
import { emptyPosition, isEmptyPosition, netSpent, type Position, restorePosition } from './position.ts';

const market = expectOk(
  createMarket(
    { kind: 'multiple-choice', question: 'Which colour wins?', closeAt: 10, subsidy: 1_000, options: ['Red', 'Green', 'Blue'] },
    { marketId: 'm1', entryId: 'e1', now: 0, creator: { userId: 'carol', role: 'member', balance: minor(1_000) }, correctionWindowMs: 0 },
  ),
).market;

describe('positions', () => {
  it('start empty, one share count per outcome', () => {
    const empty = emptyPosition(market, 'alice');
    expect(empty).toEqual({ marketId: 'm1', userId: 'alice', shares: [0, 0, 0], spent: 0, received: 0 });
    expect(isEmptyPosition(empty)).toBe(true);
    expect(netSpent(empty)).toBe(0);
  });

  it('net spent is cash in minus cash out, and may be negative after a profitable sale', () => {
    const p: Position = { ...emptyPosition(market, 'alice'), spent: minor(500), received: minor(800) };
    expect(netSpent(p)).toBe(-300);
    expect(isEmptyPosition(p)).toBe(false);
  });

  it('round-trip through JSON and are checked against their market', () => {
    const p: Position = { marketId: 'm1', userId: 'alice', shares: [1.5, 0, 250 / 3], spent: minor(6_000), received: minor(12) };
    expect(restorePosition(JSON.parse(JSON.stringify(p)), market)).toEqual({ ok: true, value: p });
  });

  it.each([
    ['malformed', null],
    ['malformed', { marketId: 'm1', userId: 'alice', shares: [0, 0, -1], spent: 0, received: 0 }],
    ['malformed', { marketId: 'm1', userId: 'alice', shares: [0, 0, 0], spent: 1.5, received: 0 }],
    ['malformed', { marketId: 'm1', userId: '', shares: [0, 0, 0], spent: 0, received: 0 }],
    ['invalid-state', { marketId: 'm2', userId: 'alice', shares: [0, 0, 0], spent: 0, received: 0 }],
    ['invalid-state', { marketId: 'm1', userId: 'alice', shares: [0, 0], spent: 0, received: 0 }],
  ])('rejects %s: case %#', (code, input) => {
    const restored = restorePosition(input, market);
    expect(restored.ok ? 'ok' : restored.error.code).toBe(code);
  });
});
