import { describe, expect, it } from 'vitest';
import { type Minor, minor } from '../money.ts';
import {
  balanceHistory,
  balanceOf,
  correctionEntry,
  foldBalances,
  grantEntry,
  marketAccount,
  parseLedgerEntry,
  totalBalance,
  totalGranted,
  transferEntry,
  userAccount,
  userOfAccount,
} from './ledger.ts';

const alice = userAccount('alice');
const bob = userAccount('bob');
const market = marketAccount('m1');
const m = (n: number): Minor => minor(n);

const ledger = [
  grantEntry('g1', 'alice', m(10_000), 1),
  grantEntry('g2', 'bob', m(10_000), 2),
  transferEntry('subsidy', { id: 's1', at: 3, from: bob, to: market, amount: m(2_000), marketId: 'm1' }),
  transferEntry('trade', { id: 't1', at: 4, from: alice, to: market, amount: m(513), marketId: 'm1', trade: { outcome: 0, shares: 10 } }),
  transferEntry('trade', { id: 't2', at: 5, from: market, to: alice, amount: m(200), marketId: 'm1', trade: { outcome: 0, shares: -4 } }),
  correctionEntry('k1', alice, bob, m(10_000), 6, 'duplicate grant'),
];

describe('ledger', () => {
  it('folds balances; only grants create money', () => {
    const balances = foldBalances(ledger);
    expect(balanceOf(balances, alice)).toBe(10_000 - 513 + 200 - 10_000);
    expect(balanceOf(balances, bob)).toBe(10_000 - 2_000 + 10_000);
    expect(balanceOf(balances, market)).toBe(2_000 + 513 - 200);
    expect(balanceOf(balances, userAccount('nobody'))).toBe(0);
    expect(totalBalance(balances)).toBe(totalGranted(ledger));
    expect(totalGranted(ledger)).toBe(20_000);
  });

  it('a correction may drive a balance below zero', () => {
    expect(balanceOf(foldBalances(ledger), alice)).toBe(-313);
  });

  it('gives a running balance history per account', () => {
    const history = balanceHistory(ledger, alice);
    expect(history.map((p) => [p.entryId, p.delta, p.balance])).toEqual([
      ['g1', 10_000, 10_000],
      ['t1', -513, 9_487],
      ['t2', 200, 9_687],
      ['k1', -10_000, -313],
    ]);
  });

  it('names accounts', () => {
    expect(userOfAccount(alice)).toBe('alice');
    expect(userOfAccount(market)).toBeNull();
  });

  it('refuses impossible entries as programmer errors', () => {
    expect(() => transferEntry('trade', { id: 'x', at: 0, from: alice, to: alice, amount: m(1) })).toThrow(RangeError);
    expect(() => transferEntry('trade', { id: 'x', at: 0, from: alice, to: bob, amount: -1 as Minor })).toThrow(RangeError);
    expect(() => grantEntry('x', 'alice', 1.5 as Minor, 0)).toThrow(RangeError);
  });

  it('round-trips every entry through JSON and the parser', () => {
    for (const entry of ledger) {
      const parsed = parseLedgerEntry(JSON.parse(JSON.stringify(entry)));
      expect(parsed).toEqual({ ok: true, value: entry });
    }
  });

  it.each([
    ['not an object', 42],
    ['unknown kind', { ...ledger[0], kind: 'mint' }],
    ['fractional amount', { ...ledger[0], amount: 1.5 }],
    ['negative amount', { ...ledger[0], amount: -5 }],
    ['bad account', { ...ledger[0], to: 'alice' }],
    ['grant with a source', { ...ledger[0], from: bob }],
    ['transfer without a source', { ...ledger[3], from: null }],
    ['transfer to itself', { ...ledger[3], to: alice }],
    ['trade without details', { ...ledger[3], trade: null }],
    ['details on a subsidy', { ...ledger[2], trade: { outcome: 0, shares: 1 } }],
    ['extra field', { ...ledger[0], extra: true }],
  ])('rejects garbage: %s', (_, input) => {
    const parsed = parseLedgerEntry(input);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error.code).toBe('malformed');
  });
});
