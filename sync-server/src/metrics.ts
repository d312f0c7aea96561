/** Prometheus metrics, one registry per server instance (tests run several in one process). */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'plaza_process_' });
  return {
    registry,
    connections: new Gauge({ name: 'plaza_connections', help: 'Open WebSocket connections', labelNames: ['client'] as const, registers: [registry] }),
    roomsLoaded: new Gauge({ name: 'plaza_rooms_loaded', help: 'Rooms held in memory', registers: [registry] }),
    updatesIn: new Counter({ name: 'plaza_updates_in_total', help: 'Document updates received from clients and stored', registers: [registry] }),
    updatesOut: new Counter({ name: 'plaza_updates_out_total', help: 'Update messages sent to clients', registers: [registry] }),
    droppedWrites: new Counter({ name: 'plaza_dropped_writes_total', help: 'Non-empty writes refused and never applied', labelNames: ['reason'] as const, registers: [registry] }),
    ruleViolations: new Counter({ name: 'plaza_rule_violations_total', help: 'Stored content that breaks a rule and is hidden by projections', labelNames: ['room_kind', 'code'] as const, registers: [registry] }),
    storeLatency: new Histogram({
      name: 'plaza_store_latency_seconds',
      help: 'Latency of store operations',
      labelNames: ['operation'] as const,
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1],
      registers: [registry],
    }),
    intentsPending: new Gauge({ name: 'plaza_intents_pending', help: 'Intents waiting for a decision', registers: [registry] }),
    intentsDecided: new Counter({ name: 'plaza_intents_decided_total', help: 'Intents decided', labelNames: ['referee', 'status'] as const, registers: [registry] }),
    closes: new Counter({ name: 'plaza_ws_closes_total', help: 'WebSocket closes initiated by the server', labelNames: ['code'] as const, registers: [registry] }),
    deadlinesFired: new Counter({ name: 'plaza_deadlines_fired_total', help: 'Deadlines fired', labelNames: ['referee', 'kind'] as const, registers: [registry] }),
    llmSpend: new Counter({ name: 'plaza_llm_spend_micro_usd_total', help: 'AI spend settled, in micro-dollars', labelNames: ['tenant', 'model'] as const, registers: [registry] }),
    llmReservationsOpen: new Gauge({ name: 'plaza_llm_reservations_open', help: 'AI calls admitted and not yet settled', registers: [registry] }),
    llmReservedOpen: new Gauge({ name: 'plaza_llm_reserved_open_micro_usd', help: 'Micro-dollars held by open AI calls', registers: [registry] }),
    llmRefusals: new Counter({ name: 'plaza_llm_refusals_total', help: 'AI calls refused, by reason', labelNames: ['reason'] as const, registers: [registry] }),
    llmCalls: new Counter({ name: 'plaza_llm_calls_total', help: 'AI calls settled, by how they ended and what they were charged on', labelNames: ['outcome', 'basis'] as const, registers: [registry] }),
    llmAlerts: new Counter({ name: 'plaza_llm_alerts_total', help: 'AI budget alerts fired', labelNames: ['kind', 'threshold'] as const, registers: [registry] }),
    // Read from the ledger at each scrape: the spend dashboard's numbers for today, durable across restarts (the counters above restart at zero).
    llmLedgerSpent: new Gauge({ name: 'plaza_llm_ledger_spent_micro_usd', help: 'AI spend settled today (UTC) per tenant, user and model, as the ledger holds it', labelNames: ['tenant', 'user', 'model', 'day'] as const, registers: [registry] }),
    llmLedgerCalls: new Gauge({ name: 'plaza_llm_ledger_calls', help: 'AI calls recorded today (UTC) per tenant, user and model, as the ledger holds them', labelNames: ['tenant', 'user', 'model', 'day'] as const, registers: [registry] }),
    llmBudgetSpent: new Gauge({ name: 'plaza_llm_budget_spent_micro_usd', help: 'Charged to a team or global budget in its current window', labelNames: ['kind', 'window', 'tenant'] as const, registers: [registry] }),
    llmBudgetReserved: new Gauge({ name: 'plaza_llm_budget_reserved_micro_usd', help: 'Held by open calls in a team or global budget', labelNames: ['kind', 'window', 'tenant'] as const, registers: [registry] }),
    llmBudgetCap: new Gauge({ name: 'plaza_llm_budget_cap_micro_usd', help: 'The cap of a team or global budget', labelNames: ['kind', 'window', 'tenant'] as const, registers: [registry] }),
    llmDrains: new Gauge({ name: 'plaza_llm_drains_active', help: 'Streams read on after their client left, to settle exactly', registers: [registry] }),
    llmLatency: new Histogram({
      name: 'plaza_llm_proxy_seconds',
      help: 'Time spent by the AI proxy before the upstream call, by phase',
      labelNames: ['phase'] as const,
      buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

export async function timed<T>(histogram: Histogram<'operation'>, operation: string, fn: () => Promise<T>): Promise<T> {
  const stop = histogram.startTimer({ operation });
  try {
    return await fn();
  } finally {
    stop();
  }
}
