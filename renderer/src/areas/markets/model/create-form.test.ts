import { describe, expect, it } from 'vitest';
import { minor } from '../../../../../shared/domain/money.ts';
import { addOption, checkCreateForm, type CreateForm, emptyCreateForm, localDateTimeValue, parseLocalDateTime, parsePoints, removeOption } from './create-form.ts';

const NOW = new Date(2026, 5, 1, 12, 0).getTime();
const CREATOR = { userId: 'u', role: 'member' as const, balance: minor(100_000), now: NOW };

function mc(over: Partial<CreateForm> = {}): CreateForm {
  return { ...emptyCreateForm(NOW), kind: 'multiple-choice', question: 'Which colour wins the vote?', options: ['Red', 'Blue', 'Green'], percents: ['', '', ''], ...over };
}

describe('the create-market form', () => {
  it('starts as a binary market at 50%, with a 100-point subsidy, closing in a week', () => {
    const form = emptyCreateForm(NOW);
    expect(form).toMatchObject({ kind: 'binary', yesPercent: '50', subsidy: '100' });
    expect(parseLocalDateTime(form.closeAt)).toBe(NOW + 7 * 86_400_000);
    expect(localDateTimeValue(NOW)).toBe('2026-06-01T12:00');
  });

  it('builds a binary setup with its opening probability and the liquidity the subsidy buys', () => {
    const check = checkCreateForm({ ...emptyCreateForm(NOW), question: 'Will v2 ship by March?', yesPercent: '20', subsidy: '100' }, CREATOR);
    if (!check.ok) throw new Error(JSON.stringify(check.errors));
    expect(check.setup).toEqual({ kind: 'binary', question: 'Will v2 ship by March?', closeAt: NOW + 7 * 86_400_000, subsidy: 10_000, openingProbability: 0.2 });
    // b = S / ln(1 / min p): the market maker can lose at most the subsidy.
    expect(check.liquidity).toBeCloseTo(100 / Math.log(1 / 0.2), 9);
  });

  it('builds a multiple-choice setup, ignoring blank option lines, at equal or chosen odds', () => {
    const equal = checkCreateForm(mc({ options: ['Red', '', 'Blue', 'Green'], percents: ['', '', '', ''] }), CREATOR);
    if (!equal.ok) throw new Error(JSON.stringify(equal.errors));
    expect(equal.setup).toMatchObject({ kind: 'multiple-choice', options: ['Red', 'Blue', 'Green'] });
    expect(equal.opening).toEqual([1 / 3, 1 / 3, 1 / 3]);
    const chosen = checkCreateForm(mc({ equalOdds: false, percents: ['50', '30', '20'] }), CREATOR);
    if (!chosen.ok) throw new Error(JSON.stringify(chosen.errors));
    expect(chosen.setup).toMatchObject({ openingProbabilities: [0.5, 0.3, 0.2] });
  });

  it.each<[string, Partial<CreateForm>, string, RegExp]>([
    ['a question too short', { question: 'Hm?' }, 'question', /5–300 characters/],
    ['one option', { options: ['Red', ''], percents: ['', ''] }, 'options', /2–20 options/],
    ['the same option twice, differently spelled', { options: ['Red', ' red ', 'Blue'] }, 'options', /unique/],
    ['percentages that do not add up', { equalOdds: false, percents: ['50', '30', '30'] }, 'probabilities', /add up to 110%/],
    ['a missing percentage', { equalOdds: false, percents: ['50', '', '50'] }, 'probabilities', /every option/],
    ['a 0% option', { equalOdds: false, percents: ['100', '0', '0'] }, 'probabilities', /strictly between 0 and 1/],
    ['a subsidy over the balance', { subsidy: '1000.01' }, 'subsidy', /exceeds your balance/],
    ['no subsidy', { subsidy: '0' }, 'subsidy', /between 1 and/],
    ['a subsidy with three decimals', { subsidy: '1.234' }, 'subsidy', /in points/],
    ['a close time in the past', { closeAt: '2026-06-01T11:59' }, 'closeAt', /in the future/],
    ['no close time', { closeAt: '' }, 'closeAt', /Pick the date/],
  ])('puts the error for %s on its input', (_name, change, field, message) => {
    const check = checkCreateForm(mc(change), CREATOR);
    expect(check.ok).toBe(false);
    if (!check.ok) expect((check.errors as Record<string, string>)[field]).toMatch(message);
  });

  it('refuses a binary opening probability of 100%', () => {
    const check = checkCreateForm({ ...emptyCreateForm(NOW), question: 'Will it surely happen?', yesPercent: '100' }, CREATOR);
    expect(check.ok ? null : check.errors.probabilities).toMatch(/strictly between 0 and 1/);
  });

  it('a guest cannot create markets', () => {
    const check = checkCreateForm(mc(), { ...CREATOR, role: null });
    expect(check.ok ? null : check.errors.form).toMatch(/only members/);
  });

  it('adds options up to 20 and removes down to 2', () => {
    let form = mc();
    for (let i = 0; i < 30; i++) form = addOption(form);
    expect(form.options).toHaveLength(20);
    expect(form.percents).toHaveLength(20);
    for (let i = 0; i < 30; i++) form = removeOption(form, 0);
    expect(form.options).toHaveLength(2);
    expect(removeOption(mc(), 1).options).toEqual(['Red', 'Green']);
  });

  it('reads points with up to two decimals', () => {
    expect(parsePoints('25.5')).toBe(2_550);
    expect(parsePoints('25,50')).toBe(2_550);
    expect(parsePoints('abc')).toBeNull();
  });
});
