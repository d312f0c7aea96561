/**
 * `markets.create`: the domain validates the setup and moves the subsidy from the creator's
 * balance into the new market's cash. The market's id is the intent's id; its close time becomes
 * a deadline that marks it closed in the rooms, with no client connected.
 */
import { createMarket, parseMarketSetup } from '../../../../shared/domain/markets/index.ts';
import { minor } from '../../../../shared/domain/money.ts';
import { DIRECTORY_MARKETS, MARKET_MAP, MARKET_STATE_KEY, type CreateResult } from '../../../../shared/sync/layouts/markets.ts';
import type { IntentEnvelope } from '../../../../shared/sync/intents.ts';
import { roomNames } from '../../../../shared/sync/rooms.ts';
import type { DecideContext, Outcome } from '../../intents/referee.ts';
import { Books } from './books.ts';
import { type Actor, CLOSE_DEADLINE, closeDeadlineId, type MarketsSettings, refOf, rejected } from './common.ts';
import { writeMarket } from './market-room.ts';

export function decideCreate(intent: IntentEnvelope, actor: Actor, context: DecideContext, settings: MarketsSettings): Outcome {
  const books = new Books(context);
  const account = books.open(actor.userId, actor.name, actor.startingGrant);
  const finish = (outcome: Outcome): Outcome => {
    books.flush();
    return outcome;
  };
  const setup = parseMarketSetup(intent.payload);
  if (!setup.ok) return finish(rejected(setup.error));
  const marketId = intent.id;
  const taken = context.doc(roomNames.market(context.tenant, marketId)).getMap(MARKET_MAP).has(MARKET_STATE_KEY) || context.doc(roomNames.markets(context.tenant)).getMap(DIRECTORY_MARKETS).has(marketId);
  if (taken) return finish(rejected({ code: 'market-exists', message: 'a market with this id exists already' }));

  const created = createMarket(setup.value, {
    marketId,
    entryId: `${refOf(actor.userId, intent.id)}:subsidy`,
    now: context.now,
    creator: { userId: actor.userId, role: actor.role, balance: minor(account.balance) },
    correctionWindowMs: settings.correctionWindowMs,
  });
  if (!created.ok) return finish(rejected(created.error));
  const { market, entry } = created.value;
  books.post(entry);
  books.adjust(actor.userId, { lockedSubsidy: market.subsidy });
  writeMarket(context, { market, status: 'open', creatorName: actor.name, names: [[actor.userId, actor.name]], point: true });
  context.setDeadline({ id: closeDeadlineId(context.tenant, market.id), kind: CLOSE_DEADLINE, fireAt: market.closeAt, payload: { market: market.id } });
  books.flush();
  const result: CreateResult = { marketId: market.id, balance: books.balance(actor.userId) };
  return { status: 'accepted', result };
}
