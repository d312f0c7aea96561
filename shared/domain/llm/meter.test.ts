import { describe, expect, it } from 'vitest';
import { microUsd } from '../money.ts';
import { expectOk } from '../result.ts';
import { parseBudgetLimits, scopeKey } from './budgets.ts';
import { DEFAULT_PRICES } from './default-prices.ts';
import { describeRefusal, formatDuration, modelPickerOptions, sessionMeterRow, spendMeter } from './meter.ts';
import { planCall } from './plan.ts';
import { refusal } from './refusal.ts';
import { body, context, IDENTITY, LIMITS, spent, T0 } from './test-support/fixtures.ts';

describe('spend meter', () => {
  it('shows this session, today and what is left in every budget', () => {
    const ledger = {
      ...spent(scopeKey('session', IDENTITY, 'session'), 120_000, 30_000),
      ...spent(scopeKey('user-day', IDENTITY, '2026-01-15'), 900_000, 30_000),
    };
    const meter = spendMeter(IDENTITY, LIMITS, ledger, T0);
    expect(meter.session).toMatchObject({ spentMicroUsd: 120_000, reservedMicroUsd: 30_000, remainingMicroUsd: 350_000, percentUsed: 30, resetsAt: null });
    expect(meter.today).toMatchObject({ kind: 'user-day', remainingMicroUsd: 70_000, percentUsed: 93, summary: '$0.07 left of $1.00' });
    expect(meter.tightest.kind).toBe('user-day');
    expect(meter.rows.map((row) => row.kind)).toEqual(['session', 'user-day', 'tenant-day', 'tenant-month', 'global-day']);
  });

  it('shows an over-spent or zero budget as full', () => {
    const limits = { ...LIMITS, tenantDailyMicroUsd: microUsd(0) };
    const meter = spendMeter(IDENTITY, limits, spent(scopeKey('session', IDENTITY, 'session'), 600_000), T0);
    expect(meter.session).toMatchObject({ remainingMicroUsd: 0, percentUsed: 100 });
    expect(meter.rows.find((row) => row.kind === 'tenant-day')).toMatchObject({ remainingMicroUsd: 0, percentUsed: 100 });
  });

  it('builds the session row alone exactly as the whole meter does (the inbox lists sessions with it)', () => {
    const key = scopeKey('session', IDENTITY, 'session');
    for (const [committed, reserved, cap] of [[0, 0, 500_000], [120_000, 30_000, 500_000], [600_000, 0, 500_000], [1, 2, 0]] as const) {
      const limits = { ...LIMITS, sessionMicroUsd: microUsd(cap) };
      const ledger = spent(key, committed, reserved);
      expect(sessionMeterRow(IDENTITY, limits, ledger)).toEqual(spendMeter(IDENTITY, limits, ledger, T0).session);
    }
    expect(sessionMeterRow({ ...IDENTITY, sessionId: 'other' }, LIMITS, spent(key, 120_000)).spentMicroUsd).toBe(0);
  });
});

describe('describeRefusal', () => {
  it('gives a title, the reason, which budget and when it resets', () => {
    const result = planCall(body(), context({ ledger: spent(scopeKey('user-day', IDENTITY, '2026-01-15'), 1_000_000) }));
    if (result.ok) throw new Error('expected a refusal');
    const text = describeRefusal(result.error, T0);
    expect(text).toMatch(/^AI budget reached\. Not enough left in your daily budget \(\$1\.00 a day\): \$0\.00 left/);
    expect(text).toContain('It resets at 2026-01-16 00:00 UTC. That is in 12 h.');
  });

  it('says when a rate-limited call may be retried', () => {
    expect(describeRefusal(refusal('rate-limited', 'Ten calls a minute.', { retryAt: T0 + 42_000 }), T0)).toBe('Slow down a little. Ten calls a minute. You can try again in 1 min.');
    expect(describeRefusal(refusal('kill-switch', 'Off.'))).toBe('The AI assistant is switched off. Off.');
  });

  it('formats durations for people', () => {
    expect([0, 1, 60_000, 90 * 60_000, 26 * 3_600_000 + 5 * 60_000].map(formatDuration)).toEqual(['less than a minute', '1 min', '1 min', '1 h 30 min', '1 d 2 h']);
  });
});

describe('model picker', () => {
  it('lists every priced model, cheapest answer first, with prices for people', () => {
    const options = modelPickerOptions(DEFAULT_PRICES);
    expect(options.map((option) => option.id)).toEqual(['gpt-4.1-nano', 'gpt-5-nano', 'gpt-4o-mini', 'gpt-4.1-mini', 'gpt-5-mini', 'gpt-4.1', 'gpt-4o', 'gpt-5']);
    expect(options.find((option) => option.id === 'gpt-4o-mini')).toMatchObject({
      label: 'GPT-4o mini',
      priceText: '$0.15 in · $0.60 out per 1M tokens',
      cachedText: '$0.075 per 1M cached input tokens',
      contextText: '128K tokens',
    });
    expect(options.find((option) => option.id === 'gpt-4.1')?.contextText).toBe('1M tokens');
  });
});

describe('budget limits config', () => {
  it('parses admin limits and refuses nonsense', () => {
    expect(expectOk(parseBudgetLimits({ sessionMicroUsd: 1, userDailyMicroUsd: 2, tenantDailyMicroUsd: 3, tenantMonthlyMicroUsd: 4 }))).toEqual({
      sessionMicroUsd: 1,
      userDailyMicroUsd: 2,
      tenantDailyMicroUsd: 3,
      tenantMonthlyMicroUsd: 4,
    });
    const bad = parseBudgetLimits({ sessionMicroUsd: 0.5, userDailyMicroUsd: 2, tenantDailyMicroUsd: 3, tenantMonthlyMicroUsd: 4, perUser: 1 });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.error.message).toContain('sessionMicroUsd must be a whole number of micro-dollars');
      expect(bad.error.message).toContain('perUser');
    }
  });
});
