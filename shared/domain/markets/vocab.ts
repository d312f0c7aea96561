/**
 * The vocabulary of prediction markets: every closed set of names is an `as const` array, and
 * the union type is derived from it, so schemas, switches and UI labels share one list.
 */
import type { DomainError } from '../result.ts';

/** Binary markets have the outcomes YES (index 0) and NO (index 1); multiple choice has 2–20. */
export const MARKET_KINDS = ['binary', 'multiple-choice'] as const;
export type MarketKind = (typeof MARKET_KINDS)[number];

/** Outcome labels of a binary market, by index. */
export const BINARY_OUTCOMES = ['YES', 'NO'] as const;
export const YES = 0;
export const NO = 1;

/** `closed` is derived from the clock (closeAt), `resolved` from the stored settlement. */
export const MARKET_STATUSES = ['open', 'closed', 'resolved'] as const;
export type MarketStatus = (typeof MARKET_STATUSES)[number];

/** A caller's standing in the tenant; `null` in a context means "not a member" (guest, removed). */
export const ROLES = ['member', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const TRADE_KINDS = ['buy-shares', 'buy-amount', 'sell-shares'] as const;
export type TradeKind = (typeof TRADE_KINDS)[number];

export const TRADE_SIDES = ['buy', 'sell'] as const;
export type TradeSide = (typeof TRADE_SIDES)[number];

/** YES/NO and multiple-choice options are `outcome`; PROB is binary only; N/A refunds. */
export const RESOLUTION_KINDS = ['outcome', 'probability', 'na'] as const;
export type ResolutionKind = (typeof RESOLUTION_KINDS)[number];

/**
 * Ledger entry kinds. Only `grant` creates money; every other kind moves it between two
 * accounts. `subsidy-return` is the market maker's leftover going back to the creator;
 * `reversal` undoes one settlement entry when a resolution is corrected; `correction` is an
 * admin's manual transfer.
 */
export const LEDGER_KINDS = ['grant', 'subsidy', 'trade', 'payout', 'refund', 'subsidy-return', 'reversal', 'correction'] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

/** Why a trade is refused. `malformed` is for payloads that do not even parse. */
export const TRADE_ERROR_CODES = [
  'malformed',
  'not-a-member',
  'market-resolved',
  'market-closed',
  'invalid-outcome',
  'invalid-amount',
  'balance-negative',
  'insufficient-balance',
  'insufficient-shares',
  'slippage',
] as const;
export type TradeErrorCode = (typeof TRADE_ERROR_CODES)[number];
export type TradeError = DomainError<TradeErrorCode>;

/** Why a market cannot be created or restored (`invalid-state`: stored state breaks an invariant). */
export const MARKET_ERROR_CODES = [
  'malformed',
  'not-a-member',
  'invalid-question',
  'invalid-options',
  'duplicate-option',
  'invalid-probabilities',
  'invalid-subsidy',
  'insufficient-balance',
  'invalid-close-time',
  'invalid-state',
] as const;
export type MarketErrorCode = (typeof MARKET_ERROR_CODES)[number];
export type MarketError = DomainError<MarketErrorCode>;

/** Why a resolution or a correction is refused. */
export const RESOLUTION_ERROR_CODES = [
  'malformed',
  'not-authorized',
  'market-resolved',
  'not-resolved',
  'invalid-resolution',
  'correction-window-closed',
  'unchanged',
] as const;
export type ResolutionErrorCode = (typeof RESOLUTION_ERROR_CODES)[number];
export type ResolutionError = DomainError<ResolutionErrorCode>;
