/**
 * The ledger's tables, one SQL text for both homes: the server applies it as a migration of its
 * embedded store, the Electron main process when it opens its own file. Amounts are integer
 * micro-dollars, times are ms since the epoch.
 *
 * - `llm_scopes`: one row per budget scope and window (its key says which): what is committed
 *   (settled), what open calls hold, the cap last seen, and the highest alert fired.
 *   Invariant: committed + reserved ≤ cap, except after a usage overrun (alerted and halted).
 * - `llm_calls`: one row per admitted call: the reservation while `open`, then what it cost.
 * - `llm_sessions`: the guard state of each chat session, keyed (tenant, user, session), with a
 *   version so that a plan made outside the lock is re-made when the session moved meanwhile.
 * - `llm_alerts`: every alert fired (50/80/100 % of a budget, usage overruns), for dashboards.
 * - `llm_kill_switches`, `llm_settings`: admin state that must survive restarts.
 */
export const LLM_LEDGER_SCHEMA = `
  CREATE TABLE llm_scopes (
    key TEXT PRIMARY KEY, kind TEXT NOT NULL, window TEXT NOT NULL, cap INTEGER NOT NULL,
    committed INTEGER NOT NULL DEFAULT 0, reserved INTEGER NOT NULL DEFAULT 0, alerted INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL,
    CHECK (committed >= 0 AND reserved >= 0)) WITHOUT ROWID;
  CREATE TABLE llm_calls (
    id TEXT PRIMARY KEY, tenant TEXT NOT NULL, user TEXT NOT NULL, session TEXT NOT NULL, model TEXT NOT NULL,
    day TEXT NOT NULL, stream INTEGER NOT NULL, admitted_at INTEGER NOT NULL,
    prompt_tokens_counted INTEGER NOT NULL, prompt_tokens_reserved INTEGER NOT NULL,
    requested_max_tokens INTEGER, clamped_max_tokens INTEGER NOT NULL, choices INTEGER NOT NULL,
    reserved INTEGER NOT NULL, scope_keys TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'settled')),
    ended_at INTEGER, ended_by TEXT, basis TEXT, charged INTEGER,
    prompt_tokens INTEGER, cached_tokens INTEGER, completion_tokens INTEGER,
    latency_ms INTEGER, first_token_ms INTEGER, overrun INTEGER NOT NULL DEFAULT 0, recovered INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
  CREATE INDEX llm_calls_open ON llm_calls (status) WHERE status = 'open';
  CREATE INDEX llm_calls_by_tenant_day ON llm_calls (tenant, day);
  CREATE INDEX llm_calls_by_day ON llm_calls (day);
  CREATE TABLE llm_sessions (
    tenant TEXT NOT NULL, user TEXT NOT NULL, session TEXT NOT NULL, state TEXT NOT NULL, version INTEGER NOT NULL,
    created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
    PRIMARY KEY (tenant, user, session)) WITHOUT ROWID;
  CREATE INDEX llm_sessions_recent ON llm_sessions (tenant, user, updated_at);
  CREATE TABLE llm_alerts (
    id INTEGER PRIMARY KEY AUTOINCREMENT, code TEXT NOT NULL, scope_key TEXT NOT NULL, kind TEXT NOT NULL, window TEXT NOT NULL,
    threshold INTEGER, tenant TEXT, user TEXT, session TEXT, spent INTEGER NOT NULL, cap INTEGER NOT NULL,
    message TEXT NOT NULL, at INTEGER NOT NULL);
  CREATE INDEX llm_alerts_by_tenant ON llm_alerts (tenant, id);
  CREATE TABLE llm_kill_switches (
    scope TEXT NOT NULL, target TEXT NOT NULL, reason TEXT, set_by TEXT NOT NULL, set_at INTEGER NOT NULL,
    PRIMARY KEY (scope, target)) WITHOUT ROWID;
  CREATE TABLE llm_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at INTEGER NOT NULL) WITHOUT ROWID;
`;
