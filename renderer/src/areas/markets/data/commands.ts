/**
 * Markets commands: each writes one intent into the user's outbox (works offline) with what
 * this device predicts, validated first against the layout's payload schema so that nothing
 * malformed leaves the device. The referee decides; the inbox brings the decision.
 */
import type { MarketSetup, Resolution, TradeCommand } from '../../../../../shared/domain/markets/index.ts';
import { CreateMarketPayloadSchema, DEFAULT_TRADE_TTL_MS, MARKET_INTENTS, ResolvePayloadSchema, TradePayloadSchema } from '../../../../../shared/sync/layouts/markets.ts';
import type { EngineHandle } from '../../../app/runtime.ts';
import { randomId } from '../../../engine/ids.ts';
import type { TradePrediction } from '../model/ticket.ts';

export async function submitTrade(engine: EngineHandle, marketId: string, command: TradeCommand, prediction: TradePrediction): Promise<string> {
  const payload = TradePayloadSchema.parse({ market: marketId, command });
  return engine.client.intents.submit(MARKET_INTENTS.trade, payload, { prediction, ttlMs: DEFAULT_TRADE_TTL_MS });
}

/** Creates a market; its id is the intent id, so the UI can open its page at once. */
export async function submitCreate(engine: EngineHandle, setup: MarketSetup): Promise<string> {
  const payload = CreateMarketPayloadSchema.parse(setup);
  // Market ids are room-name segments: letters, digits, _ and - only (randomId's alphabet).
  const id = randomId('m', 16);
  return engine.client.intents.submit(MARKET_INTENTS.create, payload, { id, prediction: { kind: 'create', subsidy: setup.subsidy } });
}

export async function submitResolution(engine: EngineHandle, marketId: string, resolution: Resolution, correction: boolean): Promise<string> {
  const payload = ResolvePayloadSchema.parse({ market: marketId, resolution });
  return engine.client.intents.submit(correction ? MARKET_INTENTS.correct : MARKET_INTENTS.resolve, payload, { prediction: { kind: 'resolution', resolution } });
}
