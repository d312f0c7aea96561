/**
 * The LLM budget policy: pure, used unchanged by the client (direct mode, optimistic checks) and
 * by the server (authority). See plan.ts for the reserve → clamp → settle flow.
 */
export * from './alerts.ts';
export * from './budgets.ts';
export * from './default-prices.ts';
export * from './fingerprint.ts';
export * from './guards.ts';
export * from './meter.ts';
export * from './plan.ts';
export * from './prices.ts';
export * from './refusal.ts';
export * from './request.ts';
export * from './settle.ts';
export * from './tokens.ts';
export * from './upstream.ts';
export * from './windows.ts';
