/**
 * Admin controls: budgets edited by tenant admins within the operator's ceiling (and applied to
 * the next call), the spend dashboard per tenant and across tenants, and the same numbers in
 * /metrics.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { api, chat, chatBody, errorOf, member, newSession, startLlmTest, type LlmTest } from './test-support/llm-harness.ts';
import type { SpendReport, TenantBudgetsResponse } from '../../../shared/api/llm.ts';

let test: LlmTest | null = null;
afterEach(async () => {
  await test?.close();
  test = null;
});

function metric(text: string, name: string, labels = ''): number {
  const line = text.split('\n').find((entry) => entry.startsWith(`${name}${labels}`) && !entry.startsWith('#'));
  return line ? Number(line.split(' ').at(-1)) : Number.NaN;
}

/** The values of `name` on lines that carry every one of `labels` (in any order). */
function samples(text: string, name: string, labels: Record<string, string> = {}): number[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .filter((line) => Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`)))
    .map((line) => Number(line.split(' ').at(-1)));
}

describe('AI budgets and dashboards', () => {
  it('tenant admins set budgets within the operator ceiling; the next call obeys them', async () => {
    test = await startLlmTest();
    const { server } = test;
    const admin = await member(server, 'acme', 'admin');
    const user = await member(server, 'acme');
    const budgets = { sessionMicroUsd: 3_000, userDailyMicroUsd: 1_000_000, tenantDailyMicroUsd: 5_000_000, tenantMonthlyMicroUsd: 50_000_000 };

    expect((await api(server, user.token, 'PUT', '/api/tenants/acme/llm/budgets', budgets)).status).toBe(403);
    const other = await member(server, 'other', 'admin');
    expect((await api(server, other.token, 'GET', '/api/tenants/acme/llm/budgets')).status).toBe(403);
    const tooMuch = await errorOf(await api(server, admin.token, 'PUT', '/api/tenants/acme/llm/budgets', { ...budgets, userDailyMicroUsd: 999_000_000 }));
    expect(tooMuch).toMatchObject({ status: 400, code: 'validation_failed', message: expect.stringMatching(/userDailyMicroUsd may be at most 2000000/) });
    expect((await errorOf(await api(server, admin.token, 'PUT', '/api/tenants/acme/llm/budgets', { ...budgets, extra: 1 }))).status).toBe(400);

    const saved = (await (await api(server, admin.token, 'PUT', '/api/tenants/acme/llm/budgets', budgets)).json()) as TenantBudgetsResponse;
    expect(saved).toMatchObject({ tenant: 'acme', own: budgets, effective: { ...budgets, globalDailyMicroUsd: 100_000_000 } });

    // $0.003 for the session at gpt-4o ($10/M out): the clamp follows the new cap.
    const sessionId = await newSession(server, user);
    const response = await chat(server, user, chatBody(sessionId, { model: 'gpt-4o' }));
    expect(response.status).toBe(200);
    expect(Number(response.headers.get('x-plaza-max-tokens'))).toBeLessThan(300);

    // The operator raises the ceiling and the global cap; tenants may then go higher.
    const operator = { defaults: budgets, ceiling: { ...budgets, userDailyMicroUsd: 999_000_000 }, globalDailyMicroUsd: null };
    expect((await api(server, admin.token, 'PUT', '/api/admin/llm/budgets', operator)).status).toBe(401);
    expect((await api(server, server.operatorKey, 'PUT', '/api/admin/llm/budgets', operator)).status).toBe(200);
    expect((await api(server, admin.token, 'PUT', '/api/tenants/acme/llm/budgets', { ...budgets, userDailyMicroUsd: 999_000_000 })).status).toBe(200);
    const after = (await (await api(server, server.operatorKey, 'GET', '/api/tenants/acme/llm/budgets')).json()) as TenantBudgetsResponse;
    expect(after.effective).toMatchObject({ userDailyMicroUsd: 999_000_000, globalDailyMicroUsd: null });
  });

  it('reports spend by user, model and day to tenant admins and across tenants to the operator, and in /metrics', async () => {
    test = await startLlmTest({ config: { llmSessionMicroUsd: 2_000 } });
    const { server } = test;
    const admin = await member(server, 'acme', 'admin');
    const alice = await member(server, 'acme');
    const carol = await member(server, 'other');
    const aliceSession = await newSession(server, alice);
    for (const model of ['gpt-4o-mini', 'gpt-4.1-nano']) expect((await chat(server, alice, chatBody(aliceSession, { model, max_tokens: 200 }))).status).toBe(200);
    const carolSession = await newSession(server, carol);
    expect((await chat(server, carol, chatBody(carolSession, { max_tokens: 20 }))).status).toBe(200);
    // Exhaust Alice's tiny session budget with gpt-4o: a refusal, and alerts.
    const refused = await chat(server, alice, chatBody(aliceSession, { model: 'gpt-4o', max_tokens: 1_000, messages: [{ role: 'user', content: 'chess '.repeat(700) }] }));
    expect(refused.status).toBe(402);
    await server.llm.meters.idle();

    const report = (await (await api(server, admin.token, 'GET', '/api/tenants/acme/llm/spend')).json()) as SpendReport;
    expect(report.tenant).toBe('acme');
    expect(report.byUser).toEqual([expect.objectContaining({ tenant: 'acme', user: alice.id, calls: 2 })]);
    expect(report.byModel.map((row) => row.model).sort()).toEqual(['gpt-4.1-nano', 'gpt-4o-mini']);
    expect(report.byDay).toHaveLength(1);
    expect(report.total.chargedMicroUsd).toBeGreaterThan(0);
    expect(report.total.openReservedMicroUsd).toBe(0);
    expect(report.budgets.map((budget) => budget.kind)).toEqual(['tenant-day', 'tenant-month', 'global-day']);
    expect(report.budgets[0]!.spentMicroUsd).toBe(report.total.chargedMicroUsd);
    expect(report.alerts.some((alert) => alert.kind === 'session' && alert.user === alice.id)).toBe(true);
    expect((await api(server, alice.token, 'GET', '/api/tenants/acme/llm/spend')).status).toBe(403);
    expect((await api(server, admin.token, 'GET', '/api/tenants/acme/llm/spend?from=2026-13-01')).status).toBe(400);
    expect((await api(server, admin.token, 'GET', '/api/tenants/acme/llm/spend?from=2026-02-01&to=2026-01-01')).status).toBe(400);

    const all = (await (await api(server, server.operatorKey, 'GET', '/api/admin/llm/spend')).json()) as SpendReport;
    expect(all.byTenant.map((row) => row.tenant).sort()).toEqual(['acme', 'other']);
    expect(all.total.calls).toBe(3);
    expect((await api(server, admin.token, 'GET', '/api/admin/llm/spend')).status).toBe(401);

    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(metric(text, 'plaza_llm_calls_total', '{outcome="completed",basis="usage"}')).toBe(3);
    expect(metric(text, 'plaza_llm_refusals_total', '{reason="budget-exhausted"}')).toBe(1);
    expect(metric(text, 'plaza_llm_reservations_open')).toBe(0);
    expect(metric(text, 'plaza_llm_spend_micro_usd_total', '{tenant="acme",model="gpt-4o-mini"}')).toBeGreaterThan(0);
    expect(text).toMatch(/plaza_llm_alerts_total\{kind="session",threshold="100"\} 1/);
    expect(text).toMatch(/plaza_llm_proxy_seconds_bucket\{le="0\.001",phase="reserve"\} \d+/);

    // The dashboard's own numbers, read from the ledger at the scrape: per person and model today, and the budgets now.
    const day = report.byDay[0]!.day;
    for (const row of report.byModel) {
      expect(samples(text, 'plaza_llm_ledger_spent_micro_usd', { tenant: 'acme', user: alice.id, model: row.model, day })).toEqual([row.chargedMicroUsd]);
      expect(samples(text, 'plaza_llm_ledger_calls', { tenant: 'acme', user: alice.id, model: row.model, day })).toEqual([row.calls]);
    }
    const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
    expect(sum(samples(text, 'plaza_llm_ledger_spent_micro_usd', { tenant: 'acme' }))).toBe(report.total.chargedMicroUsd);
    expect(sum(samples(text, 'plaza_llm_ledger_spent_micro_usd'))).toBe(all.total.chargedMicroUsd);
    for (const budget of report.budgets) {
      const labels = { kind: budget.kind, window: budget.window, tenant: budget.tenant ?? '' };
      expect(samples(text, 'plaza_llm_budget_spent_micro_usd', labels)).toEqual([budget.spentMicroUsd]);
      expect(samples(text, 'plaza_llm_budget_reserved_micro_usd', labels)).toEqual([budget.reservedMicroUsd]);
      expect(samples(text, 'plaza_llm_budget_cap_micro_usd', labels)).toEqual([budget.capMicroUsd]);
    }
  });
  it('the open-reservation gauges are read from the ledger at the scrape, since calls no longer refresh them', async () => {
    test = await startLlmTest({ fake: { defaults: { holdAfterChunks: 1 } } });
    const { server } = test;
    const user = await member(server);
    const sessionId = await newSession(server, user);
    const response = await chat(server, user, chatBody(sessionId, { stream: true }));
    const reader = response.body!.getReader();
    await reader.read();
    await test.fake.until(() => test!.fake.heldCount() === 1);
    const reserved = test.ledger.openReservations();
    expect(reserved.count).toBe(1);
    const during = await (await fetch(`${server.url}/metrics`)).text();
    expect(metric(during, 'plaza_llm_reservations_open')).toBe(1);
    expect(metric(during, 'plaza_llm_reserved_open_micro_usd')).toBe(reserved.microUsd);
    test.fake.release();
    // The stream ends after its settlement is written.
    while (!(await reader.read()).done);
    const after = await (await fetch(`${server.url}/metrics`)).text();
    expect(metric(after, 'plaza_llm_reservations_open')).toBe(0);
    expect(metric(after, 'plaza_llm_reserved_open_micro_usd')).toBe(0);
  });
});
