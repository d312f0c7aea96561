/**
 * The HTTP rate limits shared by every server process: the same sliding window log as
 * `MemoryRateLimiter`, kept in a Redis sorted set per key and checked and counted by one script
 * (atomic: two processes cannot both admit the last hit of a window).
 */
import { randomBytes } from 'node:crypto';
import type { RateDecision, RateLimiter, RateRule } from '../http/rate-limit.ts';
import type { RedisBus } from './bus.ts';

/**
 * KEYS[1] the window; ARGV: now, windowMs, limit, count (1: record a hit when allowed), member.
 * Returns {allowed, retryAfterMs}.
 */
const SLIDE = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local n = redis.call('ZCARD', KEYS[1])
if n < limit then
  if ARGV[4] == '1' then
    redis.call('ZADD', KEYS[1], now, ARGV[5])
    redis.call('PEXPIRE', KEYS[1], window)
  end
  return {1, 0}
end
local oldest = redis.call('ZRANGE', KEYS[1], n - limit, n - limit, 'WITHSCORES')
local retry = tonumber(oldest[2]) + window - now
if retry < 1 then retry = 1 end
return {0, retry}
`;

export class RedisRateLimiter implements RateLimiter {
  private readonly bus: RedisBus;
  private readonly slide: (keys: readonly string[], args: readonly string[]) => Promise<unknown>;

  constructor(bus: RedisBus) {
    this.bus = bus;
    this.slide = bus.script('plazaRateSlide', 1, SLIDE);
  }

  private async run(key: string, rule: RateRule, now: number, count: boolean): Promise<RateDecision> {
    const member = `${now}-${randomBytes(6).toString('base64url')}`;
    const [allowed, retry] = (await this.slide([this.bus.key(`rate:${key}`)], [String(now), String(rule.windowMs), String(rule.limit), count ? '1' : '0', member])) as [number, number];
    return Number(allowed) === 1 ? { allowed: true } : { allowed: false, retryAfterMs: Math.max(1, Number(retry)) };
  }

  peek(key: string, rule: RateRule, now: number): Promise<RateDecision> {
    return this.run(key, rule, now, false);
  }

  hit(key: string, rule: RateRule, now: number): Promise<RateDecision> {
    return this.run(key, rule, now, true);
  }

  async reset(key: string): Promise<void> {
    await this.bus.redis.del(this.bus.key(`rate:${key}`));
  }
}
