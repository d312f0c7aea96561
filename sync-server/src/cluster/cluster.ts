/**
 * One server process's membership in a cluster of Plaza processes sharing Postgres and Redis:
 * its identity, the bus, leases, room fan-out, queue coordination, the shared rate limiter, the
 * control channel (membership changes, revoked sessions, deleted users, tenant changes and LLM
 * kill switches reach every process at once), cluster-wide presence, and a heartbeat that says
 * which processes are alive (whose open LLM calls are not crash leftovers).
 */
import type { Directory, MembershipChange } from '../auth/directory.ts';
import type { KillSwitchRequest } from '../llm/service.ts';
import type { Logger } from '../log.ts';
import { RedisBus } from './bus.ts';
import { newProcessId } from './identity.ts';
import { LeaseManager } from './leases.ts';
import { PresenceBoard } from './presence.ts';
import { RedisQueueCoordinator } from './queue-coordinator.ts';
import { RedisRateLimiter } from './rate-limit.ts';
import { RedisRoomFanout } from './room-fanout.ts';

export interface ClusterOptions {
  readonly redisUrl: string;
  readonly prefix: string;
  readonly leaseTtlMs: number;
  readonly heartbeatMs: number;
  readonly logger: Logger;
  readonly processId?: string;
}

type ControlMessage =
  | { readonly from: string; readonly type: 'released' }
  | { readonly from: string; readonly type: 'membership'; readonly change: MembershipChange }
  | { readonly from: string; readonly type: 'session-revoked'; readonly session: string }
  | { readonly from: string; readonly type: 'user-deleted'; readonly user: string }
  | { readonly from: string; readonly type: 'tenant-changed'; readonly tenant: string }
  | { readonly from: string; readonly type: 'kill-switch'; readonly request: KillSwitchRequest; readonly setBy: string }
  | { readonly from: string; readonly type: 'presence'; readonly room: string; readonly user: string; readonly connected: boolean }
  | { readonly from: string; readonly type: 'presence-snapshot'; readonly entries: ReadonlyArray<readonly [string, string]>; readonly rtts: ReadonlyArray<readonly [string, string, number]> }
  | { readonly from: string; readonly type: 'presence-gone' };

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;


export class Cluster {
  readonly processId: string;
  readonly bus: RedisBus;
  readonly leases: LeaseManager;
  readonly fanout: RedisRoomFanout;
  readonly coordinator: RedisQueueCoordinator;
  readonly limiter: RedisRateLimiter;
  readonly presence: PresenceBoard;
  private readonly options: ClusterOptions;
  private heartbeatTimer: ReturnType<typeof setInterval> | null = null;
  private directory: Directory | null = null;
  private applyingRemote = false;
  private killSwitchHandler: ((request: KillSwitchRequest, setBy: string) => void) | null = null;
  private closed = false;

  private constructor(options: ClusterOptions, processId: string, bus: RedisBus, coordinator: RedisQueueCoordinator, leases: LeaseManager) {
    this.options = options;
    this.processId = processId;
    this.bus = bus;
    this.leases = leases;
    this.coordinator = coordinator;
    this.fanout = new RedisRoomFanout({ bus, leases, processId, logger: options.logger });
    this.limiter = new RedisRateLimiter(bus);
    this.presence = new PresenceBoard({ processId, staleAfterMs: options.heartbeatMs * 3, publish: (message) => this.control(message) });
  }

  static async join(options: ClusterOptions): Promise<Cluster> {
    const processId = options.processId ?? newProcessId();
    const bus = await RedisBus.connect({ url: options.redisUrl, prefix: options.prefix, logger: options.logger });
    const leases = new LeaseManager({ bus, holder: processId, ttlMs: options.leaseTtlMs, logger: options.logger });
    const coordinator = await RedisQueueCoordinator.start({ bus, leases, processId, logger: options.logger });
    const cluster = new Cluster(options, processId, bus, coordinator, leases);
    await bus.subscribe('control', (buffer) => cluster.onControl(buffer));
    await cluster.beat();
    cluster.heartbeatTimer = setInterval(() => void cluster.beat(), options.heartbeatMs);
    cluster.heartbeatTimer.unref();
    bus.onReconnect(() => void cluster.beat());
    return cluster;
  }

  private control(message: DistributiveOmit<ControlMessage, 'from'>): void {
    this.bus.publish('control', JSON.stringify({ ...message, from: this.processId }));
  }

  private async beat(): Promise<void> {
    if (this.closed) return;
    const now = Date.now();
    try {
      await this.bus.redis.zadd(this.bus.key('procs'), now, this.processId);
      await this.bus.redis.zremrangebyscore(this.bus.key('procs'), '-inf', now - 60 * this.options.heartbeatMs);
    } catch (error) {
      this.options.logger.warn({ err: error }, 'cluster heartbeat failed');
    }
    // Closed while the heartbeat awaited Redis: a snapshot now would bring back what `close` withdrew.
    if (this.closed) return;
    this.presence.publishSnapshot();
    this.presence.sweep();
  }

  /** Processes that beat within three heartbeats (this one always counts). */
  async liveProcesses(): Promise<string[]> {
    const since = Date.now() - 3 * this.options.heartbeatMs;
    const live = await this.bus.redis.zrangebyscore(this.bus.key('procs'), since, '+inf');
    return [...new Set([...live, this.processId])];
  }

  /** Bridges a Directory: its local events go to every process, theirs come back into it. */
  bridgeDirectory(directory: Directory): void {
    this.directory = directory;
    directory.on('membership-changed', (change) => {
      if (!this.applyingRemote) this.control({ type: 'membership', change });
    });
    directory.on('session-revoked', ({ session }) => {
      if (!this.applyingRemote) this.control({ type: 'session-revoked', session });
    });
    directory.on('user-deleted', ({ user }) => {
      if (!this.applyingRemote) this.control({ type: 'user-deleted', user });
    });
    // Tenant records (policy, name) are cached too: invalidations travel as well.
    const invalidate = directory.invalidateTenant.bind(directory);
    directory.invalidateTenant = (id: string) => {
      invalidate(id);
      if (!this.applyingRemote) this.control({ type: 'tenant-changed', tenant: id });
    };
  }

  /** Publishes a kill switch change, and applies the others' with `handler`. */
  bridgeKillSwitches(handler: (request: KillSwitchRequest, setBy: string) => void): (request: KillSwitchRequest) => void {
    this.killSwitchHandler = handler;
    return (request) => this.control({ type: 'kill-switch', request, setBy: 'operator' });
  }

  private onControl(buffer: Buffer): void {
    let message: ControlMessage;
    try {
      message = JSON.parse(buffer.toString()) as ControlMessage;
    } catch {
      return;
    }
    if (message.from === this.processId) return;
    const directory = this.directory;
    this.applyingRemote = true;
    try {
      switch (message.type) {
        case 'released':
          this.coordinator.released();
          break;
        case 'membership':
          directory?.applyMembershipChange(message.change);
          break;
        case 'session-revoked':
          directory?.revokeSession(message.session);
          break;
        case 'user-deleted':
          directory?.emit('user-deleted', { user: message.user });
          break;
        case 'tenant-changed':
          directory?.invalidateTenant(message.tenant);
          break;
        case 'kill-switch':
          this.killSwitchHandler?.(message.request, message.setBy);
          break;
        case 'presence':
          this.presence.remoteDelta(message.from, message.room, message.user, message.connected);
          break;
        case 'presence-snapshot':
          this.presence.remoteSnapshot(message.from, message.entries, message.rtts);
          break;
        case 'presence-gone':
          this.presence.remoteGone(message.from);
          break;
      }
    } catch (error) {
      this.options.logger.error({ err: error, type: message.type }, 'applying a control message failed');
    } finally {
      this.applyingRemote = false;
    }
  }

  async ping(): Promise<void> {
    await this.bus.ping();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    // A stopping process closes its sockets without presence deltas: say so once, so that the
    // others' viewer counts fall now rather than after three missed heartbeats.
    this.control({ type: 'presence-gone' });
    this.leases.stop();
    await this.leases.releaseAll();
    await this.bus.redis.zrem(this.bus.key('procs'), this.processId).catch(() => undefined);
    await this.bus.close();
  }
}
