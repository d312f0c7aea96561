import { describe, expect, it } from 'vitest';
import { createMarket, emptyPosition, type Market, marketProbabilities, previewTrade, validateTrade, applyTrade } from '../../../../../shared/domain/markets/index.ts';
import { minor } from '../../../../../shared/domain/money.ts';
import { expectOk } from '../../../../../shared/domain/result.ts';
import { evaluateTicket, guardedCommand, parseQuantity, stateAfterPending, type TradingState } from './ticket.ts';

const NOW = 1_000_000;
const ME = { userId: 'me', role: 'member' as const };

/** b = 100 on two outcomes at 50/50: the check values. */
function binary(): Market {
  const subsidy = minor(Math.round(100 * Math.log(2) * 100));
  const { market } = expectOk(createMarket({ kind: 'binary', question: 'Will the check values hold?', closeAt: NOW + 3_600_000, subsidy }, { marketId: 'm', entryId: 'e', now: NOW - 1, creator: { userId: 'c', role: 'member', balance: minor(1e9) }, correctionWindowMs: 0 }));
  // The subsidy is whole minor units, so b lands near 100; the check values are for b = 100 exactly.
  return { ...market, b: 100 };
}

function state(balance = 100_000): TradingState {
  const market = binary();
  return { market, position: emptyPosition(market, 'me'), balance: minor(balance) };
}

describe('the order ticket', () => {
  it('parses amounts (two decimals, to minor units) and shares', () => {
    expect(parseQuantity('buy-amount', '50')).toEqual({ kind: 'ok', value: 5_000 });
    expect(parseQuantity('buy-amount', '12,5')).toEqual({ kind: 'ok', value: 1_250 });
    expect(parseQuantity('buy-amount', '1.234').kind).toBe('invalid');
    expect(parseQuantity('buy-amount', '0').kind).toBe('invalid');
    expect(parseQuantity('buy-shares', '2.5')).toEqual({ kind: 'ok', value: 2.5 });
    expect(parseQuantity('sell-shares', '-3').kind).toBe('invalid');
    expect(parseQuantity('sell-shares', 'ten').kind).toBe('invalid');
    expect(parseQuantity('buy-shares', '  ')).toEqual({ kind: 'empty' });
  });

  it('previews with the referee’s own rule: spending 50 on YES buys 83.179657 shares', () => {
    const s = state();
    const outcome = evaluateTicket({ mode: 'buy-amount', outcome: 0, quantity: '50', slippage: 0.02 }, s, ME, NOW);
    if (outcome.kind !== 'ready') throw new Error(JSON.stringify(outcome));
    expect(outcome.preview.shares).toBeCloseTo(83.179657, 5);
    expect(outcome.preview.cost).toBe(5_000);
    expect(outcome.preview.maxPayout).toBe(8_317);
    expect(outcome.preview.probabilitiesAfter[0]).toBeCloseTo(0.696735, 5);
    // The guard: 2% fewer shares than previewed, and the referee accepts it at this state.
    expect(outcome.command).toEqual({ kind: 'buy-amount', outcome: 0, amount: 5_000, minShares: outcome.preview.shares * 0.98 });
    expect(validateTrade(s.market, s.position, { ...ME, balance: s.balance }, outcome.command, NOW).ok).toBe(true);
  });

  it('buying 10 YES costs 5.124948, charged 5.13 and guarded at cost + slippage', () => {
    const outcome = evaluateTicket({ mode: 'buy-shares', outcome: 0, quantity: '10', slippage: 0.05 }, state(), ME, NOW);
    if (outcome.kind !== 'ready') throw new Error(JSON.stringify(outcome));
    expect(outcome.preview.fill.exactCost).toBeCloseTo(5.124948, 6);
    expect(outcome.preview.cost).toBe(513);
    expect(outcome.preview.probabilitiesAfter[0]).toBeCloseTo(0.524979, 6);
    expect(outcome.command).toMatchObject({ kind: 'buy-shares', shares: 10, maxCost: Math.ceil(513 * 1.05) });
  });

  it('a guard refuses at the referee once the price moved past it', () => {
    const s = state();
    const outcome = evaluateTicket({ mode: 'buy-shares', outcome: 0, quantity: '10', slippage: 0 }, s, ME, NOW);
    if (outcome.kind !== 'ready') throw new Error('not ready');
    // Someone else buys YES first: the same command now costs more than its guard.
    const other = emptyPosition(s.market, 'other');
    const fill = expectOk(validateTrade(s.market, other, { userId: 'other', role: 'member', balance: minor(1e9) }, { kind: 'buy-amount', outcome: 0, amount: minor(5_000), minShares: 0 }, NOW));
    const moved = applyTrade(s.market, other, fill, { id: 'x', at: NOW }).market;
    const refused = validateTrade(moved, s.position, { ...ME, balance: s.balance }, outcome.command, NOW);
    expect(refused.ok ? null : refused.error.code).toBe('slippage');
  });

  it('reports the domain’s refusals: no balance, selling shares not held, a closed market', () => {
    expect(evaluateTicket({ mode: 'buy-amount', outcome: 0, quantity: '50', slippage: 0.02 }, state(4_999), ME, NOW)).toMatchObject({ kind: 'refused', code: 'insufficient-balance' });
    expect(evaluateTicket({ mode: 'sell-shares', outcome: 1, quantity: '1', slippage: 0.02 }, state(), ME, NOW)).toMatchObject({ kind: 'refused', code: 'insufficient-shares' });
    expect(evaluateTicket({ mode: 'buy-amount', outcome: 0, quantity: '1', slippage: 0.02 }, state(), ME, NOW + 3_600_000)).toMatchObject({ kind: 'refused', code: 'market-closed' });
    expect(evaluateTicket({ mode: 'buy-amount', outcome: 0, quantity: '1', slippage: 0.02 }, state(), { userId: 'me', role: null }, NOW)).toMatchObject({ kind: 'refused', code: 'not-a-member' });
  });

  it('guards sells by minimum proceeds', () => {
    const s = state();
    const bought = expectOk(previewTrade(s.market, s.position, { kind: 'buy-shares', outcome: 1, shares: 20, maxCost: minor(1e9) }, { trader: { ...ME, balance: s.balance }, now: NOW }));
    const preview = expectOk(previewTrade(s.market, bought.positionAfter, { kind: 'sell-shares', outcome: 1, shares: 5, minProceeds: minor(0) }, { trader: { ...ME, balance: bought.balanceAfter }, now: NOW }));
    expect(guardedCommand({ kind: 'sell-shares', outcome: 1, shares: 5, minProceeds: minor(0) }, preview, 0.1)).toEqual({ kind: 'sell-shares', outcome: 1, shares: 5, minProceeds: Math.floor(preview.cost * 0.9) });
  });

  it('applies pending trades in order before the next preview, each at the state the previous left', () => {
    const s = state(6_000);
    const first = { id: 'a', command: { kind: 'buy-amount' as const, outcome: 0, amount: minor(5_000), minShares: 0 } };
    const second = { id: 'b', command: { kind: 'buy-amount' as const, outcome: 0, amount: minor(5_000), minShares: 0 } };
    const { state: after, predictions } = stateAfterPending(s, ME, [first, second], NOW);
    expect(predictions.get('a')).toMatchObject({ kind: 'fill', side: 'buy', cash: 5_000 });
    expect((predictions.get('a') as { shares: number }).shares).toBeCloseTo(83.179657, 5);
    // The second would overdraw the balance the first leaves: predicted refused, state unchanged by it.
    expect(predictions.get('b')).toMatchObject({ kind: 'refused', code: 'insufficient-balance' });
    expect(after.balance).toBe(1_000);
    expect(after.position.shares[0]).toBeCloseTo(83.179657, 5);
    expect(marketProbabilities(after.market)[0]).toBeCloseTo(0.696735, 5);
    expect((predictions.get('a') as { probabilitiesAfter: readonly number[] }).probabilitiesAfter[0]).toBeCloseTo(0.696735, 5);
  });
});
