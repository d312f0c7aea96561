/**
 * The client-side cap: before every call the client runs the server's own policy
 * (`planCall` from shared/domain/llm) on what it knows locally:
 *
 * - the session guards (idle without human input, turn limit, rate, loop, lifetime) on a local
 *   session state, seeded from the server's view of the session and kept here call by call;
 * - the budgets its inbox reports (or, in direct mode, the main process's ledger): a call whose
 *   prompt plus a minimal answer the remaining budget cannot pay for is refused before sending.
 *
 * So a runaway client stops itself; the server still has the final word. Budgets the client does
 * not know yet (no meter in the inbox) do not block here.
 *
 * This module stays light (no tokenizer): the check itself is in cap-check.ts.
 */
import { microUsd } from '../../../../shared/domain/money.ts';
import type { ModelsResponse, SessionView } from '../../../../shared/api/llm.ts';
import { scopesFor, type BudgetLimits, type CallIdentity, type LedgerSnapshot, type ScopeKind } from '../../../../shared/domain/llm/budgets.ts';
import type { GuardConfig, SessionGuardState, SessionHalt } from '../../../../shared/domain/llm/guards.ts';
import type { CallPolicy } from '../../../../shared/domain/llm/plan.ts';
import { parsePriceTable, type PriceTable, type PriceTableConfig } from '../../../../shared/domain/llm/prices.ts';
import type { Refusal } from '../../../../shared/domain/llm/refusal.ts';
import type { Result } from '../../../../shared/domain/result.ts';
import type { LlmInboxRecord } from '../../engine/projections/llm.ts';

/** One budget as reported to the client: the inbox meter, a session's budget, a direct-mode row. */
export interface BudgetRow {
  readonly kind: ScopeKind;
  readonly capMicroUsd: number;
  readonly spentMicroUsd: number;
  readonly reservedMicroUsd: number;
  /** The end of the row's window (ms), null for a session: a row of a past window is stale. */
  readonly resetsAt: number | null;
}

/** A cap the client does not know: it does not block (the server still checks). */
const UNKNOWN_CAP = microUsd(1_000_000_000_000);

/** The budget rows of the inbox: the user's, team's and global ones, plus the session's own. */
export function rowsFromInbox(inbox: LlmInboxRecord | null | undefined, sessionId: string | null): BudgetRow[] {
  const rows: BudgetRow[] = [...(inbox?.meter?.rows ?? [])];
  const session = sessionId === null ? undefined : inbox?.sessions[sessionId];
  if (session) rows.push(session.budget);
  return rows;
}

/** Limits and a ledger snapshot that `planCall` reads as the server's would be. */
export function budgetView(identity: CallIdentity, rows: readonly BudgetRow[], now: number): { readonly limits: BudgetLimits; readonly ledger: LedgerSnapshot } {
  const cap = (kind: ScopeKind) => {
    const row = rows.find((candidate) => candidate.kind === kind);
    return row ? microUsd(row.capMicroUsd) : UNKNOWN_CAP;
  };
  const global = rows.find((row) => row.kind === 'global-day');
  const limits: BudgetLimits = {
    sessionMicroUsd: cap('session'),
    userDailyMicroUsd: cap('user-day'),
    tenantDailyMicroUsd: cap('tenant-day'),
    tenantMonthlyMicroUsd: cap('tenant-month'),
    ...(global ? { globalDailyMicroUsd: microUsd(global.capMicroUsd) } : {}),
  };
  const ledger: Record<string, { committedMicroUsd: ReturnType<typeof microUsd>; reservedMicroUsd: ReturnType<typeof microUsd> }> = {};
  for (const scope of scopesFor(identity, limits, now)) {
    // A row from an earlier day or month says nothing about this one: it starts empty.
    const row = rows.find((candidate) => candidate.kind === scope.kind && candidate.resetsAt === scope.resetsAt);
    if (row) ledger[scope.key] = { committedMicroUsd: microUsd(row.spentMicroUsd), reservedMicroUsd: microUsd(row.reservedMicroUsd) };
  }
  return { limits, ledger };
}

export interface CapContext {
  readonly prices: PriceTable;
  readonly identity: CallIdentity;
  readonly rows: readonly BudgetRow[];
  readonly session: SessionGuardState;
  readonly now: number;
  readonly guards?: GuardConfig;
  readonly policy?: CallPolicy;
}

/**
 * The check before sending (`checkCall` in cap-check.ts). Ok: the session state with the call
 * recorded, to keep locally. Refused: the policy's refusal, whose `sessionAfter` (a new halt) is
 * kept too. Asynchronous: the check counts tokens with the o200k tokenizer, which the browser
 * loads in a worker (cap-worker.ts) so that the page never freezes while it does.
 */
export type CapChecker = (body: Record<string, unknown>, context: CapContext) => Promise<Result<{ readonly sessionAfter: SessionGuardState }, Refusal>>;

/** The check in this thread, loaded on first use (tests, and the fallback when workers fail). */
export const inThreadChecker: CapChecker = async (body, context) => (await import('./cap-check.ts')).checkCall(body, context);

/** The priced models of `/v1/models` as the policy's price table (validated: it is input). */
export function priceTableFromModels(models: ModelsResponse): Result<PriceTable, { code: string; message: string }> {
  const config: PriceTableConfig = {
    version: 1,
    models: Object.fromEntries(
      models.data.map((entry) => [
        entry.id,
        {
          label: entry.plaza.label,
          inputPerMillion: entry.plaza.inputPerMillionMicroUsd,
          cachedInputPerMillion: entry.plaza.cachedInputPerMillionMicroUsd,
          outputPerMillion: entry.plaza.outputPerMillionMicroUsd,
          contextWindow: entry.plaza.contextWindow,
          maxOutputTokens: entry.plaza.maxOutputTokens,
        },
      ]),
    ),
  };
  return parsePriceTable(config);
}

/** A local session state seeded from what the server (or the direct-mode ledger) says of it. */
export function sessionFromView(view: Pick<SessionView, 'sessionId' | 'startedAt' | 'lastHumanInputAt' | 'callCount' | 'spentMicroUsd'> & { readonly halt: SessionHalt | null }): SessionGuardState {
  return {
    version: 1,
    sessionId: view.sessionId,
    startedAt: view.startedAt,
    lastHumanInputAt: view.lastHumanInputAt,
    callsSinceHumanInput: 0,
    recentCallTimes: [],
    lastFingerprint: null,
    repeatCount: 0,
    callCount: view.callCount,
    spentMicroUsd: microUsd(view.spentMicroUsd),
    halt: view.halt,
  };
}

/**
 * Folds the server's newer knowledge into the local state: its halts (the server halted first) and
 * its spend (charges settled there). Local knowledge is never loosened by it.
 */
export function mergeServerSession(local: SessionGuardState, server: { readonly spentMicroUsd: number; readonly callCount: number; readonly halt: SessionHalt | null }): SessionGuardState {
  return {
    ...local,
    spentMicroUsd: microUsd(Math.max(local.spentMicroUsd, server.spentMicroUsd)),
    callCount: Math.max(local.callCount, server.callCount),
    halt: local.halt ?? server.halt,
  };
}
