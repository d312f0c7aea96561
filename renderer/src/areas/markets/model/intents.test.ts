import { describe, expect, it } from 'vitest';
import { MARKET_INTENTS } from '../../../../../shared/sync/layouts/markets.ts';
import type { IntentRecord } from '../../../engine/collections.ts';
import { intentView, pendingCommitments, pendingTradesIn, resolveTargetOf, tradeIntentOf, tradeResultOf } from './intents.ts';

function record(id: string, over: Partial<IntentRecord>): IntentRecord {
  return { id, kind: MARKET_INTENTS.trade, status: 'pending', createdAt: 1, decidedAt: 0, payload: null, prediction: null, decision: null, ...over };
}

const buy = (market: string, amount: number) => ({ market, command: { kind: 'buy-amount', outcome: 0, amount, minShares: 1 } });

describe('markets intents as the screens show them', () => {
  it('reads pending, accepted and refused decisions', () => {
    expect(intentView(record('a', {}))).toEqual({ status: 'pending' });
    const accepted = record('b', { status: 'accepted', decision: { status: 'accepted', result: { tradeId: 't', marketId: 'm', outcome: 0, side: 'buy', shares: 3, cash: 100, balance: 5, probabilities: [0.6, 0.4] } } });
    expect(tradeResultOf(intentView(accepted))).toMatchObject({ shares: 3, cash: 100 });
    const refused = record('c', { status: 'rejected', decision: { status: 'rejected', reason: { code: 'slippage', message: 'too far' } } });
    expect(intentView(refused)).toEqual({ status: 'refused', code: 'slippage', message: 'too far' });
    expect(intentView(record('d', { status: 'expired', decision: { status: 'expired' } }))).toEqual({ status: 'refused', code: 'expired', message: null });
    expect(tradeResultOf(intentView(refused))).toBeNull();
  });

  it('parses trade payloads with the layout’s schema and skips what does not parse', () => {
    expect(tradeIntentOf(record('a', { payload: buy('m1', 500) }))).toMatchObject({ marketId: 'm1', command: { kind: 'buy-amount', amount: 500 } });
    expect(tradeIntentOf(record('b', { payload: { market: 'm1', command: { kind: 'steal' } } }))).toBeNull();
    expect(tradeIntentOf(record('c', { kind: MARKET_INTENTS.create, payload: buy('m1', 5) }))).toBeNull();
  });

  it('lists pending trades of one market oldest first, the order the referee takes them', () => {
    const records = [
      record('late', { createdAt: 30, payload: buy('m1', 300) }),
      record('early', { createdAt: 10, payload: buy('m1', 100) }),
      record('other', { createdAt: 20, payload: buy('m2', 200) }),
      record('done', { createdAt: 5, status: 'accepted', payload: buy('m1', 50) }),
    ];
    expect(pendingTradesIn(records, 'm1').map((t) => t.id)).toEqual(['early', 'late']);
  });

  it('counts money committed by pending intents elsewhere: predicted buys and subsidies', () => {
    const records = [
      record('a', { payload: buy('m1', 300), prediction: { kind: 'fill', outcome: 0, side: 'buy', shares: 5, cash: 300, averagePrice: 0.6, probabilitiesAfter: [] } }),
      record('b', { payload: buy('m2', 200), prediction: { kind: 'fill', outcome: 0, side: 'buy', shares: 5, cash: 200, averagePrice: 0.4, probabilitiesAfter: [] } }),
      record('c', { kind: MARKET_INTENTS.create, payload: { kind: 'binary', question: 'Is this pending?', closeAt: 5, subsidy: 1_000 } }),
      record('d', { status: 'accepted', payload: buy('m2', 999), prediction: { kind: 'fill', outcome: 0, side: 'buy', shares: 5, cash: 999, averagePrice: 0.4, probabilitiesAfter: [] } }),
    ];
    expect(pendingCommitments(records, 'm1')).toBe(1_200);
    expect(pendingCommitments(records, null)).toBe(1_500);
  });

  it('knows which market a resolution is about', () => {
    expect(resolveTargetOf(record('r', { kind: MARKET_INTENTS.resolve, payload: { market: 'm9', resolution: { kind: 'na' } } }))).toBe('m9');
    expect(resolveTargetOf(record('t', { payload: buy('m1', 1) }))).toBeNull();
  });
});
