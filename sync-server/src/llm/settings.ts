/**
 * The AI proxy's settings: prices, call policy and session guards from the server config, and the
 * budgets, which admins edit at run time (kept in the ledger's settings table, cached here):
 * - the operator sets the defaults every tenant gets, the ceiling tenant admins may not pass,
 *   and the global daily cap;
 * - a tenant's admins set its own caps, each at most the ceiling. If the operator later lowers
 *   the ceiling, the lower value applies at once.
 */
import { readFileSync } from 'node:fs';
import { microUsd } from '../../../shared/domain/money.ts';
import { err, ok, type DomainError, type Result } from '../../../shared/domain/result.ts';
import type { BudgetLimits } from '../../../shared/domain/llm/budgets.ts';
import { DEFAULT_PRICES } from '../../../shared/domain/llm/default-prices.ts';
import { parseGuardConfig, type GuardConfig } from '../../../shared/domain/llm/guards.ts';
import type { CallPolicy } from '../../../shared/domain/llm/plan.ts';
import { parsePriceTable, type PriceTable } from '../../../shared/domain/llm/prices.ts';
import { operatorBudgetsSchema, tenantBudgetsSchema, type OperatorBudgets, type TenantBudgets } from '../../../shared/api/llm.ts';
import type { ServerConfig } from '../config.ts';
import type { LlmLedgerStore } from '../store/types.ts';

export class LlmSettingsError extends Error {
  override readonly name = 'LlmSettingsError';
}

export function loadPrices(file: string | undefined): PriceTable {
  if (file === undefined) return DEFAULT_PRICES;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new LlmSettingsError(`PLAZA_LLM_PRICES_FILE (${file}) could not be read as JSON: ${(error as Error).message}`);
  }
  const parsed = parsePriceTable(json);
  if (!parsed.ok) throw new LlmSettingsError(`PLAZA_LLM_PRICES_FILE (${file}): ${parsed.error.message}`);
  return parsed.value;
}

export function guardConfigFrom(config: ServerConfig): GuardConfig {
  const parsed = parseGuardConfig({
    idleMs: config.llmIdleMs,
    maxCallsPerMinute: config.llmMaxCallsPerMinute,
    maxCallsPerHumanInput: config.llmMaxCallsPerInput,
    loopThreshold: config.llmLoopThreshold,
    maxLifetimeMs: config.llmMaxSessionMs,
    maxLifetimeSpendMicroUsd: config.llmMaxSessionSpendMicroUsd,
  });
  if (!parsed.ok) throw new LlmSettingsError(parsed.error.message);
  return parsed.value;
}

export function callPolicyFrom(config: ServerConfig): CallPolicy {
  return { minAnswerTokens: config.llmMinAnswerTokens, promptMargin: { percent: 10, tokens: 16 }, maxChoices: 1, defaultMaxTokens: config.llmDefaultMaxTokens };
}

export function operatorBudgetsFrom(config: ServerConfig): OperatorBudgets {
  const budgets: TenantBudgets = {
    sessionMicroUsd: config.llmSessionMicroUsd,
    userDailyMicroUsd: config.llmUserDailyMicroUsd,
    tenantDailyMicroUsd: config.llmTenantDailyMicroUsd,
    tenantMonthlyMicroUsd: config.llmTenantMonthlyMicroUsd,
  };
  return { defaults: budgets, ceiling: budgets, globalDailyMicroUsd: config.llmGlobalDailyMicroUsd > 0 ? config.llmGlobalDailyMicroUsd : null };
}

const OPERATOR_KEY = 'budgets/operator';
const tenantKey = (tenant: string) => `budgets/tenant/${tenant}`;
const FIELDS = ['sessionMicroUsd', 'userDailyMicroUsd', 'tenantDailyMicroUsd', 'tenantMonthlyMicroUsd'] as const;

function within(value: TenantBudgets, ceiling: TenantBudgets): TenantBudgets {
  return {
    sessionMicroUsd: Math.min(value.sessionMicroUsd, ceiling.sessionMicroUsd),
    userDailyMicroUsd: Math.min(value.userDailyMicroUsd, ceiling.userDailyMicroUsd),
    tenantDailyMicroUsd: Math.min(value.tenantDailyMicroUsd, ceiling.tenantDailyMicroUsd),
    tenantMonthlyMicroUsd: Math.min(value.tenantMonthlyMicroUsd, ceiling.tenantMonthlyMicroUsd),
  };
}

export class BudgetBook {
  private readonly store: LlmLedgerStore;
  private operatorBudgets: OperatorBudgets;
  private readonly tenants = new Map<string, TenantBudgets | null>();

  private constructor(store: LlmLedgerStore, operator: OperatorBudgets) {
    this.store = store;
    this.operatorBudgets = operator;
  }

  /** The operator's stored settings win over the config once they exist. */
  static async load(store: LlmLedgerStore, fromConfig: OperatorBudgets): Promise<BudgetBook> {
    const stored = await store.setting(OPERATOR_KEY);
    const parsed = stored === null ? null : operatorBudgetsSchema.safeParse(JSON.parse(stored) as unknown);
    return new BudgetBook(store, parsed?.success ? parsed.data : fromConfig);
  }

  operator(): OperatorBudgets {
    return this.operatorBudgets;
  }

  async setOperator(value: OperatorBudgets, now: number): Promise<void> {
    await this.store.setSetting(OPERATOR_KEY, JSON.stringify(value), now);
    this.operatorBudgets = value;
  }

  async tenantOwn(tenant: string): Promise<TenantBudgets | null> {
    if (this.tenants.has(tenant)) return this.tenants.get(tenant) ?? null;
    const stored = await this.store.setting(tenantKey(tenant));
    const parsed = stored === null ? null : tenantBudgetsSchema.safeParse(JSON.parse(stored) as unknown);
    const value = parsed?.success ? parsed.data : null;
    if (this.tenants.size > 10_000) this.tenants.clear();
    this.tenants.set(tenant, value);
    return value;
  }

  /** A tenant admin's change: every cap must be within the operator's ceiling. */
  async setTenant(tenant: string, value: TenantBudgets, now: number): Promise<Result<TenantBudgets, DomainError<'above-ceiling'>>> {
    const ceiling = this.operatorBudgets.ceiling;
    const over = FIELDS.filter((field) => value[field] > ceiling[field]);
    if (over.length > 0) {
      return err({ code: 'above-ceiling', message: `Above the operator's limit: ${over.map((field) => `${field} may be at most ${ceiling[field]}`).join(', ')}.` });
    }
    await this.store.setSetting(tenantKey(tenant), JSON.stringify(value), now);
    this.tenants.set(tenant, value);
    return ok(value);
  }

  async effective(tenant: string): Promise<TenantBudgets & { globalDailyMicroUsd: number | null }> {
    const own = await this.tenantOwn(tenant);
    return { ...within(own ?? this.operatorBudgets.defaults, this.operatorBudgets.ceiling), globalDailyMicroUsd: this.operatorBudgets.globalDailyMicroUsd };
  }

  async limitsFor(tenant: string): Promise<BudgetLimits> {
    const value = await this.effective(tenant);
    return {
      sessionMicroUsd: microUsd(value.sessionMicroUsd),
      userDailyMicroUsd: microUsd(value.userDailyMicroUsd),
      tenantDailyMicroUsd: microUsd(value.tenantDailyMicroUsd),
      tenantMonthlyMicroUsd: microUsd(value.tenantMonthlyMicroUsd),
      ...(value.globalDailyMicroUsd === null ? {} : { globalDailyMicroUsd: microUsd(value.globalDailyMicroUsd) }),
    };
  }
}
