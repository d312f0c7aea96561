/**
 * The message bus between server processes: Redis pub/sub on two connections (one subscribed, one
 * for commands), every channel and key under one prefix. Pub/sub is fire-and-forget: a message
 * published while a process is disconnected is lost to it, so every consumer has a way to catch
 * up (rooms: the store by sequence number; leases and presence: periodic sweeps), and
 * `onReconnect` handlers run whenever the subscriber connection comes back.
 *
 * Connection storms (Hocuspocus #1024): exactly two connections per process, whatever the number
 * of rooms; reconnects back off (up to 2 s) instead of hammering a Redis that is down.
 */
import { Redis } from 'ioredis';
import type { Logger } from '../log.ts';

export type BusHandler = (message: Buffer) => void;

export interface BusOptions {
  readonly url: string;
  /** Prefix of every channel and key (several clusters, or tests, can share one Redis). */
  readonly prefix: string;
  readonly logger: Logger;
}

function retryStrategy(times: number): number {
  return Math.min(50 * 2 ** Math.min(times, 6), 2000);
}

export class RedisBus {
  readonly prefix: string;
  /** Commands: publish, leases, rate limits. */
  readonly redis: Redis;
  private readonly subscriber: Redis;
  private readonly handlers = new Map<string, Set<BusHandler>>();
  private readonly reconnectHandlers = new Set<() => void>();
  private readonly logger: Logger;
  private everReady = false;
  private closed = false;

  private constructor(options: BusOptions) {
    this.prefix = options.prefix;
    this.logger = options.logger;
    const common = { retryStrategy, maxRetriesPerRequest: 2, enableAutoPipelining: true, lazyConnect: true } as const;
    this.redis = new Redis(options.url, { ...common, connectionName: 'plaza-cmd' });
    this.subscriber = new Redis(options.url, { ...common, connectionName: 'plaza-sub' });
    for (const client of [this.redis, this.subscriber]) client.on('error', (error: Error) => this.logger.debug({ err: error }, 'redis connection error'));
    this.subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) => {
      const set = this.handlers.get(channel.toString());
      if (!set) return;
      for (const handler of set) {
        try {
          handler(message);
        } catch (error) {
          this.logger.error({ err: error, channel: channel.toString() }, 'a bus message handler failed');
        }
      }
    });
    // ioredis re-subscribes by itself after a reconnect; what was published meanwhile is lost.
    this.subscriber.on('ready', () => {
      if (!this.everReady) {
        this.everReady = true;
        return;
      }
      this.logger.warn('redis subscriber reconnected; catching up from the store');
      for (const handler of this.reconnectHandlers) handler();
    });
  }

  static async connect(options: BusOptions): Promise<RedisBus> {
    const bus = new RedisBus(options);
    try {
      await Promise.all([bus.redis.connect(), bus.subscriber.connect()]);
    } catch (error) {
      bus.redis.disconnect();
      bus.subscriber.disconnect();
      throw new Error(`cannot reach Redis at ${redactUrl(options.url)}: ${(error as Error).message}`, { cause: error });
    }
    return bus;
  }

  key(name: string): string {
    return `${this.prefix}${name}`;
  }

  /**
   * A Lua script run atomically by Redis, registered once (ioredis sends it by SHA after the
   * first call). Returns a function of its keys and arguments.
   */
  script(name: string, numberOfKeys: number, lua: string): (keys: readonly string[], args: readonly string[]) => Promise<unknown> {
    this.redis.defineCommand(name, { numberOfKeys, lua });
    const command = (this.redis as unknown as Record<string, (...parts: string[]) => Promise<unknown>>)[name]!;
    return (keys, args) => command.call(this.redis, ...keys, ...args);
  }

  /** Subscribes `handler` to a channel (the first handler subscribes the connection). */
  async subscribe(channel: string, handler: BusHandler): Promise<void> {
    const full = this.key(channel);
    let set = this.handlers.get(full);
    if (!set) {
      set = new Set();
      this.handlers.set(full, set);
      set.add(handler);
      await this.subscriber.subscribe(full);
      return;
    }
    set.add(handler);
  }

  async unsubscribe(channel: string, handler: BusHandler): Promise<void> {
    const full = this.key(channel);
    const set = this.handlers.get(full);
    if (!set) return;
    set.delete(handler);
    if (set.size === 0) {
      this.handlers.delete(full);
      if (!this.closed) await this.subscriber.unsubscribe(full).catch(() => undefined);
    }
  }

  /** Fire and forget: a failed publish is logged (consumers catch up by other means). */
  publish(channel: string, message: Buffer | string): void {
    if (this.closed) return;
    this.redis.publish(this.key(channel), message).catch((error: unknown) => this.logger.warn({ err: error, channel }, 'publishing on the bus failed'));
  }

  onReconnect(handler: () => void): void {
    this.reconnectHandlers.add(handler);
  }

  get connected(): boolean {
    return this.redis.status === 'ready' && this.subscriber.status === 'ready';
  }

  async ping(): Promise<void> {
    if (!this.connected) throw new Error('redis is not connected');
    await this.redis.ping();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.handlers.clear();
    await Promise.allSettled([this.subscriber.quit(), this.redis.quit()]);
    this.subscriber.disconnect();
    this.redis.disconnect();
  }
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable url)';
  }
}
