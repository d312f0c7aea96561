/**
 * The prediction-markets domain: LMSR pricing, play-money ledger, market lifecycle, trades,
 * resolution and the folds the UI charts. Pure: time, ids, balances and roles come in as
 * arguments. The referee composes `decideTrade` / `createMarket` / `resolveMarket` /
 * `correctResolution` in arrival order; the UI previews with `previewTrade`.
 */
export * from './vocab.ts';
export * from './lmsr.ts';
export * from './rounding.ts';
export * from './ledger.ts';
export * from './market.ts';
export * from './position.ts';
export * from './trade.ts';
export * from './resolution.ts';
export * from './restore.ts';
export * from './portfolio.ts';
export * from './stats.ts';
