/**
 * Leases in Redis: `SET key holder NX PX ttl` to take one, renewed by a script that only extends a
 * lease its caller still holds, released by a script that only deletes its own. Every acquisition
 * gets a fresh epoch (`INCR`), which writes carry as a fence into the store, so a holder that
 * stalled past its TTL (a GC pause, a network partition) cannot write after its successor did.
 *
 * A holder renews every `ttlMs / 3`; a renewal that finds the lease gone or taken reports it lost
 * at once. A dead process's leases expire after `ttlMs` and are taken by the next sweep.
 */
import type { Logger } from '../log.ts';
import type { RedisBus } from './bus.ts';

const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;
/** SET NX + INCR of the epoch in one step: the epoch belongs to exactly this acquisition. */
const ACQUIRE = `if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return redis.call('INCR', KEYS[2]) else return 0 end`;

export interface LeaseOptions {
  readonly bus: RedisBus;
  readonly holder: string;
  readonly ttlMs: number;
  readonly logger: Logger;
}

interface Held {
  readonly epoch: number;
  readonly onLost: () => void;
}

export class LeaseManager {
  private readonly options: LeaseOptions;
  private readonly held = new Map<string, Held>();
  private readonly scripts: {
    readonly acquire: (keys: readonly string[], args: readonly string[]) => Promise<unknown>;
    readonly renew: (keys: readonly string[], args: readonly string[]) => Promise<unknown>;
    readonly release: (keys: readonly string[], args: readonly string[]) => Promise<unknown>;
  };
  private timer: ReturnType<typeof setInterval> | null = null;
  private renewing = false;

  constructor(options: LeaseOptions) {
    this.options = options;
    this.scripts = {
      acquire: options.bus.script('plazaLeaseAcquire', 2, ACQUIRE),
      renew: options.bus.script('plazaLeaseRenew', 1, RENEW),
      release: options.bus.script('plazaLeaseRelease', 1, RELEASE),
    };
    this.timer = setInterval(() => void this.renewAll(), Math.max(50, Math.floor(options.ttlMs / 3)));
    this.timer.unref();
  }

  private key(name: string): string {
    return this.options.bus.key(`lease:${name}`);
  }

  /** The epoch of a lease this process holds, or null. */
  epoch(name: string): number | null {
    return this.held.get(name)?.epoch ?? null;
  }

  heldNames(): string[] {
    return [...this.held.keys()];
  }

  /** Takes the lease if nobody holds it; returns its epoch, or null when another process holds it. */
  async acquire(name: string, onLost: () => void): Promise<number | null> {
    const mine = this.held.get(name);
    if (mine) return mine.epoch;
    const epoch = Number(await this.scripts.acquire([this.key(name), this.options.bus.key(`epoch:${name}`)], [this.options.holder, String(this.options.ttlMs)]));
    if (!epoch) return null;
    const existing = this.held.get(name);
    if (existing) return existing.epoch;
    this.held.set(name, { epoch, onLost });
    return epoch;
  }

  /** Who holds a lease now (null: nobody). */
  async holder(name: string): Promise<string | null> {
    return this.options.bus.redis.get(this.key(name));
  }

  async release(name: string): Promise<void> {
    if (!this.held.delete(name)) return;
    await this.scripts.release([this.key(name)], [this.options.holder]).catch(() => undefined);
  }

  /** Forgets a lease without telling Redis (it was lost). */
  private lose(name: string): void {
    const held = this.held.get(name);
    if (!held) return;
    this.held.delete(name);
    this.options.logger.warn({ lease: name }, 'lease lost; this process stops writing for it');
    held.onLost();
  }

  private async renewAll(): Promise<void> {
    if (this.renewing || this.held.size === 0) return;
    this.renewing = true;
    try {
      const names = [...this.held.keys()];
      const results = await Promise.allSettled(names.map((name) => this.scripts.renew([this.key(name)], [this.options.holder, String(this.options.ttlMs)])));
      results.forEach((result, index) => {
        const name = names[index]!;
        // A Redis that does not answer is not proof of loss; the TTL decides, and the fence guards writes.
        if (result.status === 'fulfilled' && Number(result.value) !== 1) this.lose(name);
      });
    } finally {
      this.renewing = false;
    }
  }

  /** Releases every lease (graceful drain: others take over at once instead of after the TTL). */
  async releaseAll(): Promise<void> {
    await Promise.allSettled([...this.held.keys()].map((name) => this.release(name)));
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
