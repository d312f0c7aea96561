/**
 * Rate limits for the HTTP API, keyed by a string (an IP, an account): a sliding window of the
 * last `limit` hits per key. The interface is async so that a Redis limiter, shared by every
 * server process, can replace the in-memory one without touching the routes.
 */

export interface RateRule {
  readonly limit: number;
  readonly windowMs: number;
}

export type RateDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterMs: number };

export interface RateLimiter {
  /** Whether one more hit would be allowed now, without counting one. */
  peek(key: string, rule: RateRule, now: number): Promise<RateDecision>;
  /** Counts one hit and says whether it was allowed (a refused hit is not counted). */
  hit(key: string, rule: RateRule, now: number): Promise<RateDecision>;
  /** Forgets a key (e.g. an account's failures after a successful sign-in). */
  reset(key: string): Promise<void>;
}

/** In-process sliding-window log; memory is bounded by `maxKeys` × the largest limit. */
export class MemoryRateLimiter implements RateLimiter {
  private readonly hits = new Map<string, { times: number[]; windowMs: number }>();
  private readonly maxKeys: number;
  private operations = 0;

  constructor(options: { readonly maxKeys?: number } = {}) {
    this.maxKeys = options.maxKeys ?? 100_000;
  }

  async peek(key: string, rule: RateRule, now: number): Promise<RateDecision> {
    return this.decide(this.recent(key, rule, now), rule, now);
  }

  async hit(key: string, rule: RateRule, now: number): Promise<RateDecision> {
    const recent = this.recent(key, rule, now);
    const decision = this.decide(recent, rule, now);
    if (decision.allowed) {
      // Re-inserted so that the map's order is least recently hit first.
      this.hits.delete(key);
      this.hits.set(key, { times: [...recent, now], windowMs: rule.windowMs });
      this.housekeep(now);
    }
    return decision;
  }

  async reset(key: string): Promise<void> {
    this.hits.delete(key);
  }

  get size(): number {
    return this.hits.size;
  }

  private recent(key: string, rule: RateRule, now: number): number[] {
    const entry = this.hits.get(key);
    if (!entry) return [];
    const since = now - rule.windowMs;
    const kept = entry.times.filter((time) => time > since);
    if (kept.length === 0) this.hits.delete(key);
    return kept;
  }

  private decide(recent: readonly number[], rule: RateRule, now: number): RateDecision {
    if (recent.length < rule.limit) return { allowed: true };
    const oldest = recent[recent.length - rule.limit] as number;
    return { allowed: false, retryAfterMs: Math.max(1, oldest + rule.windowMs - now) };
  }

  /** Every so often, drop keys with nothing in their window; past `maxKeys`, drop the least recently hit. */
  private housekeep(now: number): void {
    this.operations += 1;
    if (this.operations % 1000 !== 0 && this.hits.size <= this.maxKeys) return;
    for (const [key, entry] of this.hits) {
      const last = entry.times[entry.times.length - 1];
      if (last === undefined || last <= now - entry.windowMs) this.hits.delete(key);
    }
    for (const key of this.hits.keys()) {
      if (this.hits.size <= this.maxKeys) break;
      this.hits.delete(key);
    }
  }
}

/** The key of a client address: IPv4 as is, IPv4-mapped IPv6 as IPv4, other IPv6 by its /64. */
export function addressKey(address: string | undefined): string {
  if (!address) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return mapped[1];
  if (!address.includes(':')) return address;
  const [head = '', tail = ''] = address.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((group) => group.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
