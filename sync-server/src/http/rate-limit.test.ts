import { describe, expect, it } from 'vitest';
import { addressKey, MemoryRateLimiter } from './rate-limit.ts';

const rule = { limit: 3, windowMs: 1000 };

describe('in-memory sliding-window rate limiter', () => {
  it('allows `limit` hits per window, then says when the next one is allowed', async () => {
    const limiter = new MemoryRateLimiter();
    for (const at of [0, 100, 200]) expect(await limiter.hit('k', rule, at)).toEqual({ allowed: true });
    expect(await limiter.hit('k', rule, 300)).toEqual({ allowed: false, retryAfterMs: 700 });
    expect(await limiter.peek('k', rule, 999)).toEqual({ allowed: false, retryAfterMs: 1 });
    // The window slides: the hit at 0 has left it.
    expect(await limiter.hit('k', rule, 1000)).toEqual({ allowed: true });
    expect(await limiter.hit('k', rule, 1001)).toEqual({ allowed: false, retryAfterMs: 99 });
    // Keys are independent; reset forgets one.
    expect(await limiter.hit('other', rule, 1001)).toEqual({ allowed: true });
    await limiter.reset('k');
    expect(await limiter.hit('k', rule, 1002)).toEqual({ allowed: true });
  });

  it('refused hits are not counted, so a steady attacker is let through at the allowed rate only', async () => {
    const limiter = new MemoryRateLimiter();
    let allowed = 0;
    for (let at = 0; at < 10_000; at += 10) if ((await limiter.hit('k', rule, at)).allowed) allowed += 1;
    expect(allowed).toBe(30);
  });

  it('stays bounded in memory', async () => {
    const limiter = new MemoryRateLimiter({ maxKeys: 100 });
    for (let index = 0; index < 5000; index += 1) await limiter.hit(`ip-${index}`, rule, index);
    expect(limiter.size).toBeLessThanOrEqual(101);
  });

  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['::ffff:10.0.0.7', '10.0.0.7'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::9', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    [undefined, 'unknown'],
  ])('keys the address %s as %s', (address, key) => {
    expect(addressKey(address)).toBe(key);
  });
});
