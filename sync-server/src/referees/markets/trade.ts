/**
 * `markets.trade`: priced by the domain at the market's CURRENT state when the intent's turn
 * comes (never at the client's view), with the client's slippage guard. Refusals carry the
 * domain's codes (`slippage`, `insufficient-balance`, `balance-negative`, `market-closed`, …).
 */
import { applyTrade, marketProbabilities, validateTrade } from '../../../../shared/domain/markets/index.ts';
import { minor } from '../../../../shared/domain/money.ts';
import { type TradeRecord, type TradeResult, TradePayloadSchema } from '../../../../shared/sync/layouts/markets.ts';
import type { IntentEnvelope } from '../../../../shared/sync/intents.ts';
import { roomNames } from '../../../../shared/sync/rooms.ts';
import type { DecideContext, Outcome } from '../../intents/referee.ts';
import { Books } from './books.ts';
import { type Actor, type MarketsSettings, positionSummary, refOf, rejected } from './common.ts';
import { type DirectoryThrottle, loadMarket, loadPosition, writeMarket } from './market-room.ts';

export function decideTradeIntent(intent: IntentEnvelope, actor: Actor, context: DecideContext, settings: MarketsSettings, throttle: DirectoryThrottle): Outcome {
  const books = new Books(context);
  const account = books.open(actor.userId, actor.name, actor.startingGrant);
  const finish = (outcome: Outcome): Outcome => {
    books.flush();
    return outcome;
  };
  const payload = TradePayloadSchema.safeParse(intent.payload);
  if (!payload.success) return finish(rejected({ code: 'malformed', message: `malformed trade: ${payload.error.issues[0]?.message ?? 'invalid'}` }));
  if (context.now - intent.createdAt > settings.tradeTtlMs) {
    return finish(rejected({ code: 'expired', message: 'this trade waited too long to reach the server; it was not placed' }));
  }
  const { market: marketId, command } = payload.data;
  const doc = context.doc(roomNames.market(context.tenant, marketId));
  const loaded = loadMarket(doc);
  if (!loaded.ok) return finish(rejected(loaded.error));
  const { market, info } = loaded.value;
  const position = loadPosition(doc, market, actor.userId);
  const trader = { userId: actor.userId, role: actor.role, balance: minor(account.balance) };
  const fill = validateTrade(market, position, trader, command, context.now);
  if (!fill.ok) {
    // The close deadline may not have fired yet (a long queue): show the status the domain saw.
    if (fill.error.code === 'market-closed' && info.status === 'open') writeMarket(context, { market, previous: info, status: 'closed', creatorName: info.creatorName });
    return finish(rejected(fill.error));
  }
  const id = refOf(actor.userId, intent.id);
  const next = applyTrade(market, position, fill.value, { id, at: context.now });
  const { side, cash, shares, outcome } = fill.value;
  books.post(next.entry);
  books.adjust(actor.userId, { invested: side === 'buy' ? cash : -cash });
  const probabilities = marketProbabilities(next.market);
  const trade: TradeRecord = {
    v: 1,
    id,
    marketId,
    userId: actor.userId,
    userName: actor.name,
    at: context.now,
    seq: next.market.tradeCount,
    kind: fill.value.kind,
    side,
    outcome,
    shares,
    cash,
    probabilities,
  };
  writeMarket(context, {
    market: next.market,
    previous: info,
    status: info.status,
    creatorName: info.creatorName,
    positions: [next.position],
    names: [[actor.userId, actor.name]],
    trade,
    point: true,
    probabilities,
    directory: throttle.admit(context, marketId),
  });
  books.setPosition(actor.userId, positionSummary(next.market, next.position, info.status, context.now));
  books.flush();
  const result: TradeResult = { tradeId: id, marketId, outcome, side, shares, cash, balance: books.balance(actor.userId), probabilities };
  return { status: 'accepted', result };
}
