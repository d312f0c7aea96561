/**
 * `markets.resolve` and `markets.correct`, by the creator or a tenant admin. The domain settles
 * from the market's cash and every position (payouts round down, the leftover goes back to the
 * creator; N/A refunds net cash, which may drive a balance below zero). A correction within the
 * window reverses every settlement entry exactly and pays anew. Every holder's inbox was loaded
 * by `roomsFor`, so all balances move in this one transaction.
 */
import { correctResolution, resolveMarket } from '../../../../shared/domain/markets/index.ts';
import { type ResolveResult, ResolvePayloadSchema } from '../../../../shared/sync/layouts/markets.ts';
import type { IntentEnvelope } from '../../../../shared/sync/intents.ts';
import { roomNames } from '../../../../shared/sync/rooms.ts';
import type { DecideContext, Outcome } from '../../intents/referee.ts';
import { Books } from './books.ts';
import { type Actor, closeDeadlineId, positionSummary, refOf, rejected } from './common.ts';
import { holderName, loadMarket, loadPositions, writeMarket } from './market-room.ts';

export function decideResolution(intent: IntentEnvelope, actor: Actor, context: DecideContext, correcting: boolean): Outcome {
  const books = new Books(context);
  books.open(actor.userId, actor.name, actor.startingGrant);
  const finish = (outcome: Outcome): Outcome => {
    books.flush();
    return outcome;
  };
  const payload = ResolvePayloadSchema.safeParse(intent.payload);
  if (!payload.success) return finish(rejected({ code: 'malformed', message: `malformed resolution: ${payload.error.issues[0]?.message ?? 'invalid'}` }));
  const { market: marketId, resolution } = payload.data;
  const doc = context.doc(roomNames.market(context.tenant, marketId));
  const loaded = loadMarket(doc);
  if (!loaded.ok) return finish(rejected(loaded.error));
  const { market, info } = loaded.value;
  const positions = loadPositions(doc, market);
  const resolver = { userId: actor.userId, role: actor.role };
  const id = refOf(actor.userId, intent.id);
  const settled = correcting ? correctResolution(market, positions, resolver, resolution, context.now, id) : resolveMarket(market, positions, resolver, resolution, context.now, id);
  if (!settled.ok) return finish(rejected(settled.error));
  const resolved = settled.value.market;
  for (const entry of settled.value.entries) books.post(entry);
  if (!correcting) {
    // Open cost and locked subsidy become realized: the payouts just posted replace them.
    for (const position of positions) books.adjust(position.userId, { invested: -(position.spent - position.received) });
    books.adjust(market.creatorId, { lockedSubsidy: -market.subsidy });
  }
  for (const position of positions) {
    books.setPosition(position.userId, positionSummary(resolved, position, 'resolved', context.now));
    books.markStandings(position.userId, holderName(doc, position.userId));
  }
  books.markStandings(market.creatorId, holderName(doc, market.creatorId));
  writeMarket(context, { market: resolved, previous: info, status: 'resolved', creatorName: info.creatorName });
  context.clearDeadline(closeDeadlineId(context.tenant, market.id));
  books.flush();
  const settlement = resolved.settlement!;
  const paid = Object.values(settlement.paid).reduce<number>((sum, amount) => sum + amount, 0);
  const result: ResolveResult = { marketId, revision: settlement.revision, paid, leftover: settlement.leftover };
  return { status: 'accepted', result };
}
