/**
 * Queue leases for the intent runner: the lease `queue:<name>` says which process decides a
 * (tenant, referee) queue; work seen elsewhere is forwarded to the holder on its own channel
 * (`proc:<id>`). A graceful stop releases its leases and says so on the control channel, so the
 * others sweep at once instead of waiting for the TTL.
 */
import type { Logger } from '../log.ts';
import type { QueueCoordinator, QueueEvent } from '../intents/runner.ts';
import type { RedisBus } from './bus.ts';
import type { LeaseManager } from './leases.ts';

export class RedisQueueCoordinator implements QueueCoordinator {
  readonly processId: string;
  private readonly bus: RedisBus;
  private readonly leases: LeaseManager;
  private readonly logger: Logger;
  private readonly eventHandlers = new Set<(queue: string, event: QueueEvent) => void>();
  private readonly releasedHandlers = new Set<() => void>();
  private readonly lockPollMs: number;

  private constructor(options: { bus: RedisBus; leases: LeaseManager; processId: string; logger: Logger; lockPollMs?: number }) {
    this.bus = options.bus;
    this.leases = options.leases;
    this.processId = options.processId;
    this.logger = options.logger;
    this.lockPollMs = options.lockPollMs ?? 100;
  }

  static async start(options: { bus: RedisBus; leases: LeaseManager; processId: string; logger: Logger }): Promise<RedisQueueCoordinator> {
    const coordinator = new RedisQueueCoordinator(options);
    await options.bus.subscribe(`proc:${options.processId}`, (buffer) => coordinator.onForwarded(buffer));
    return coordinator;
  }

  private onForwarded(buffer: Buffer): void {
    let message: { queue: string; event: QueueEvent };
    try {
      message = JSON.parse(buffer.toString()) as { queue: string; event: QueueEvent };
    } catch {
      return;
    }
    if (typeof message.queue !== 'string' || typeof message.event?.type !== 'string') return;
    for (const handler of this.eventHandlers) handler(message.queue, message.event);
  }

  acquire(queue: string, onLost: () => void): Promise<number | null> {
    return this.leases.acquire(`queue:${queue}`, onLost);
  }

  release(queue: string): Promise<void> {
    return this.leases.release(`queue:${queue}`);
  }

  async releaseAll(): Promise<void> {
    await Promise.allSettled(this.leases.heldNames().filter((name) => name.startsWith('queue:')).map((name) => this.leases.release(name)));
  }

  async forward(queue: string, event: QueueEvent): Promise<boolean> {
    const holder = await this.leases.holder(`queue:${queue}`);
    if (holder === null) return false;
    if (holder === this.processId) {
      // Held here but not known to the runner (it is being taken right now): run it here.
      for (const handler of this.eventHandlers) handler(queue, event);
      return true;
    }
    this.bus.publish(`proc:${holder}`, JSON.stringify({ queue, event }));
    return true;
  }

  onEvent(handler: (queue: string, event: QueueEvent) => void): void {
    this.eventHandlers.add(handler);
  }

  onReleased(handler: () => void): void {
    this.releasedHandlers.add(handler);
  }

  /** Called by the cluster's control channel when another process released its leases. */
  released(): void {
    for (const handler of this.releasedHandlers) handler();
  }

  announceReleased(): void {
    this.bus.publish('control', JSON.stringify({ from: this.processId, type: 'released' }));
  }

  async withLock<T>(name: string, fn: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
    const lease = `lock:${name}`;
    const deadline = Date.now() + timeoutMs;
    while ((await this.leases.acquire(lease, () => undefined)) === null) {
      if (Date.now() > deadline) throw new Error(`could not take the cluster lock "${name}" within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, this.lockPollMs));
    }
    try {
      return await fn();
    } finally {
      await this.leases.release(lease).catch((error: unknown) => this.logger.warn({ err: error, lock: name }, 'releasing a cluster lock failed'));
    }
  }
}
