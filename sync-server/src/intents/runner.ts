/**
 * Decides intents exactly once, in arrival order, serialized per (tenant, referee):
 * 1. ingest (see `ingest.ts`): a new intent is copied to the pending table in the same store
 *    transaction as the update that carried it;
 * 2. decide: the referee runs synchronously on loaded rooms and everything it wrote is committed
 *    in one store transaction, keyed by (tenant, user, intent id);
 * 3. publish: the updates go out only after the commit.
 * Deadlines are store rows, re-armed at start, fired on the same queues with no client needed.
 */
import * as Y from 'yjs';
import { INBOX_DECISIONS, parseIntent, type Decision, type DecisionReason, type IntentEnvelope } from '../../../shared/sync/intents.ts';
import { monthKey, roomNames } from '../../../shared/sync/rooms.ts';
import type { Directory } from '../auth/directory.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { Room } from '../rooms/room.ts';
import type { RoomManager } from '../rooms/room-manager.ts';
import { parseRoomName } from '../../../shared/sync/rooms.ts';
import {
  AlreadyDecidedError,
  DeadlineGoneError,
  FencedError,
  type DeadlineRow,
  type DecisionCommit,
  type DecisionRow,
  type LedgerRow,
  type PendingIntent,
  type QueueFence,
  type Store,
} from '../store/types.ts';
import type { Author, Deadline, DecideContext, Outcome, PresenceEvent, Referee, RefereeTask } from './referee.ts';

export const SYSTEM_QUEUE = '_system';
export const ARCHIVE_QUEUE = '_archive';
/**
 * Pending rows read (and, for batchable referees, decided in one commit) at a time. Now that a
 * room's waiting client updates are stored together, a turn can bring hundreds of intents; a
 * commit costs per page it touches, and a batch's decisions for one user share that user's pages
 * (inbox update, decisions, ledger index). bench:markets on the shared 2-core machine: 186–209 µs
 * of server CPU per trade at 200 against 201–246 at 50 (noisy; same direction in every run).
 */
const BATCH = 200;
const RETRY_MS = 1000;
/** How often the pending-intents gauge is refreshed from the store (a COUNT(*) per decision costs too much). */
const PENDING_GAUGE_EVERY_MS = 1000;

export type FaultPoint = 'after-ingest' | 'after-commit';

/** Work for the holder of a (tenant, referee) queue, sent from whichever process saw it. */
export type QueueEvent =
  | { readonly type: 'drain' }
  | { readonly type: 'archive'; readonly user: string }
  | { readonly type: 'presence'; readonly user: string; readonly roomName: string; readonly connected: boolean; readonly at: number };

/**
 * Several server processes (cluster mode, implemented on Redis in `cluster/`): deciding is leased
 * per (tenant, referee). The holder decides, arms and fires that queue's deadlines; the others
 * forward work to it. Every acquisition has a new epoch, written into the store as a fence.
 */
export interface QueueCoordinator {
  readonly processId: string;
  /** Takes the queue's lease if nobody holds it: its epoch, or null. `onLost` runs if it is lost later. */
  acquire(queue: string, onLost: () => void): Promise<number | null>;
  release(queue: string): Promise<void>;
  releaseAll(): Promise<void>;
  /** Sends an event to the queue's holder; false when nobody holds it. */
  forward(queue: string, event: QueueEvent): Promise<boolean>;
  onEvent(handler: (queue: string, event: QueueEvent) => void): void;
  /** Another process released leases (a graceful stop): look for orphaned queues now. */
  onReleased(handler: () => void): void;
  announceReleased(): void;
  /** Runs `fn` while holding a cluster-wide lock (start-up steps that must happen once). */
  withLock<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

/** The lease (and fence) name of a queue. */
export function queueName(tenant: string, referee: string): string {
  return JSON.stringify([tenant, referee]);
}

function parseQueueName(queue: string): { tenant: string; referee: string } | null {
  try {
    const value = JSON.parse(queue) as unknown;
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string') return { tenant: value[0], referee: value[1] };
  } catch {
    // not a queue name
  }
  return null;
}

class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
}

export interface RunnerOptions {
  readonly store: Store;
  readonly rooms: RoomManager;
  readonly directory: Directory;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly now: () => number;
  readonly fault?: FaultPoint;
  /** How often "the server is alive" is recorded, to measure downtime after a crash. */
  readonly aliveEveryMs: number;
  /** Cluster mode: queue leases. Absent: this process decides every queue. */
  readonly coordinator?: QueueCoordinator;
  /** Cluster mode: how often queues with work and no holder are looked for. */
  readonly sweepEveryMs?: number;
}

export interface PresenceSource {
  rttOf(tenant: string, user: string): number | null;
  isConnected(room: string, user: string): boolean;
}

interface Job<T> {
  readonly tenant: string;
  readonly referee: string;
  readonly rooms: readonly string[];
  readonly consumed?: readonly number[];
  readonly deadlinesCleared?: readonly string[];
  readonly afterCommitFault?: boolean;
  /** Deadlines this job fires (each must still be stored unchanged). */
  readonly fired?: ReadonlyArray<{ readonly id: string; readonly fireAt: number }>;
  /** Cluster mode: only the queue's lease holder may run this job. */
  readonly leased?: boolean;
  run(context: DecideContext, decisions: DecisionRow[], steps: JobSteps): T;
}

/**
 * A job that decides several intents in one commit marks where each decision ends, so that the
 * deadlines of every decision keep the last word (a later decision clears what an earlier one set).
 */
interface JobSteps {
  /** The decision so far is complete: its deadline sets and clears take effect. */
  settle(): void;
  /** Pending rows (by arrival) the commit consumes, besides the job's own `consumed`. */
  consume(arrival: number): void;
}

/** A referee crashed on the intent at `index` of a batch: nothing of the batch was committed. */
class BatchCrash extends Error {
  override readonly name = 'BatchCrash';
  readonly index: number;
  constructor(index: number, cause: unknown) {
    super('referee crashed in a batch', { cause });
    this.index = index;
  }
}

/** A pending intent checked and ready to decide: the verdict when the runner decides it itself, else the rooms to load. */
interface PreparedIntent {
  readonly row: PendingIntent;
  readonly intent: IntentEnvelope | null;
  readonly author: Author | null;
  readonly kind: string;
  readonly verdict: Verdict | null;
  readonly rooms: readonly string[];
  readonly now: number;
}

type Verdict = Outcome | { status: 'invalid' | 'expired'; reason: DecisionReason };

export class IntentRunner {
  private readonly options: RunnerOptions;
  private readonly referees = new Map<string, Referee>();
  private readonly byKind = new Map<string, Referee>();
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly drainRequested = new Set<string>();
  private readonly deadlineAt = new Map<string, DeadlineRow>();
  /** Deadlines taken off the schedule and waiting on their queue to fire. */
  private readonly firing = new Map<string, DeadlineRow>();
  private deadlineTimer: ReturnType<typeof setTimeout> | null = null;
  private aliveTimer: ReturnType<typeof setInterval> | null = null;
  private sweepTimer: ReturnType<typeof setInterval> | null = null;
  private stopped = false;
  /** Cluster mode: queues this process holds, with their lease epoch. */
  private readonly held = new Map<string, number>();
  private readonly acquiring = new Map<string, Promise<boolean>>();
  private sweeping: Promise<void> | null = null;
  private pendingGaugeAt = 0;
  presence: PresenceSource = { rttOf: () => null, isConnected: () => false };

  constructor(options: RunnerOptions) {
    this.options = options;
  }

  register(referee: Referee): void {
    if (this.referees.has(referee.name)) throw new Error(`referee ${referee.name} registered twice`);
    this.referees.set(referee.name, referee);
    for (const kind of referee.intentKinds) {
      if (this.byKind.has(kind)) throw new Error(`intent kind ${kind} has two referees`);
      this.byKind.set(kind, referee);
    }
  }

  refereeFor(kind: string): Referee | undefined {
    return this.byKind.get(kind);
  }

  refereeNamed(name: string): Referee | undefined {
    return this.referees.get(name);
  }

  /** Re-arms deadlines (after referees shift them by the downtime) and decides what waited. */
  async start(): Promise<void> {
    const { store, now, logger, coordinator } = this.options;
    const resume = async () => {
      const lastAlive = Number((await store.serverState.get('last-alive')) ?? '0');
      const startedAt = now();
      let downtimeMs = lastAlive > 0 ? Math.max(0, startedAt - lastAlive) : 0;
      // In a cluster, `last-alive` is written by every process: a recent one means the cluster was up.
      if (coordinator && downtimeMs < 3 * this.options.aliveEveryMs) downtimeMs = 0;
      await store.serverState.set('last-alive', String(startedAt));
      for (const referee of this.referees.values()) {
        await referee.start?.({
          now: startedAt,
          downtimeMs,
          logger,
          shiftDeadlines: async (filter, byMs) => {
            if (byMs === 0) return;
            const shifted = (await store.deadlines.all())
              .filter((row) => row.referee === referee.name && filter(toDeadline(row)))
              .map((row) => ({ ...row, fireAt: row.fireAt + byMs }));
            if (shifted.length > 0) await store.intents.commit({ updates: [], decisions: [], consumed: [], deadlinesSet: shifted, deadlinesCleared: [], ledger: [] });
          },
        });
      }
      return downtimeMs;
    };
    // Cluster: one process at a time, so that the downtime is charged back once, not per process.
    const downtimeMs = coordinator ? await coordinator.withLock('startup', resume) : await resume();
    if (coordinator) {
      coordinator.onEvent((queue, event) => this.onQueueEvent(queue, event));
      coordinator.onReleased(() => void this.sweep());
      await this.sweep();
      this.sweepTimer = setInterval(() => void this.sweep(), this.options.sweepEveryMs ?? 1000);
      this.sweepTimer.unref();
    } else {
      for (const row of await store.deadlines.all()) this.deadlineAt.set(row.id, row);
      this.armDeadlines();
      for (const queue of await store.intents.pendingQueues()) this.schedule(queue.tenant, queue.referee);
    }
    this.aliveTimer = setInterval(() => void store.serverState.set('last-alive', String(this.options.now())).catch(() => undefined), this.options.aliveEveryMs);
    this.aliveTimer.unref();
    if (downtimeMs > 0) logger.info({ downtimeMs }, 'resumed after downtime; clocks were not charged for it');
  }

  // Cluster: queue leases -------------------------------------------------------------------------

  /** Takes the queues that have work (pending intents, deadlines) and no holder. */
  sweep(): Promise<void> {
    if (!this.options.coordinator || this.stopped) return Promise.resolve();
    this.sweeping ??= (async () => {
      try {
        const { store } = this.options;
        const queues = new Map<string, { tenant: string; referee: string }>();
        for (const queue of [...(await store.intents.pendingQueues()), ...(await store.deadlines.queues())]) queues.set(queueName(queue.tenant, queue.referee), queue);
        for (const [name, queue] of queues) {
          if (this.held.has(name)) continue;
          await this.ensureHeld(queue.tenant, queue.referee);
        }
      } catch (error) {
        this.options.logger.warn({ err: error }, 'looking for queues without a holder failed; retrying later');
      } finally {
        this.sweeping = null;
      }
    })();
    return this.sweeping;
  }

  /** Whether this process holds (or just took) the queue's lease. */
  private ensureHeld(tenant: string, referee: string): Promise<boolean> {
    const name = queueName(tenant, referee);
    if (this.held.has(name)) return Promise.resolve(true);
    if (this.stopped) return Promise.resolve(false);
    let pending = this.acquiring.get(name);
    if (!pending) {
      pending = this.takeLease(tenant, referee, name).finally(() => this.acquiring.delete(name));
      this.acquiring.set(name, pending);
    }
    return pending;
  }

  private async takeLease(tenant: string, referee: string, name: string): Promise<boolean> {
    const coordinator = this.options.coordinator!;
    const { store, logger } = this.options;
    const epoch = await coordinator.acquire(name, () => this.leaseLost(name, tenant, referee));
    if (epoch === null) return false;
    // Fence first: from now on a previous holder's commits fail, so what is read next is final.
    if (!(await store.intents.claimFence({ queue: name, epoch, holder: coordinator.processId }, this.options.now()))) {
      await coordinator.release(name);
      return false;
    }
    this.held.set(name, epoch);
    logger.info({ tenant, referee, epoch }, 'took the lease of a queue');
    try {
      this.referees.get(referee)?.onQueueTaken?.(tenant);
    } catch (error) {
      logger.error({ err: error, tenant, referee }, 'a referee failed to reset its caches on a lease handover');
    }
    for (const row of await store.deadlines.of(tenant, referee)) if (!this.firing.has(row.id)) this.deadlineAt.set(row.id, row);
    this.armDeadlines();
    this.scheduleLocal(tenant, referee);
    return true;
  }

  private leaseLost(name: string, tenant: string, referee: string): void {
    this.held.delete(name);
    for (const [id, row] of this.deadlineAt) if (row.tenant === tenant && row.referee === referee) this.deadlineAt.delete(id);
    for (const [id, row] of this.firing) if (row.tenant === tenant && row.referee === referee) this.firing.delete(id);
    this.armDeadlines();
    // Someone else holds it now, or will at the next sweep.
  }

  private fenceFor(tenant: string, referee: string): QueueFence | undefined {
    const coordinator = this.options.coordinator;
    if (!coordinator) return undefined;
    const name = queueName(tenant, referee);
    const epoch = this.held.get(name);
    return epoch === undefined ? undefined : { queue: name, epoch, holder: coordinator.processId };
  }

  /** Runs an event here if this process holds (or takes) the queue, else sends it to the holder. */
  private async route(tenant: string, referee: string, event: QueueEvent): Promise<void> {
    const coordinator = this.options.coordinator!;
    for (let attempt = 0; attempt < 3 && !this.stopped; attempt += 1) {
      if (await this.ensureHeld(tenant, referee)) {
        this.handle(tenant, referee, event);
        return;
      }
      if (await coordinator.forward(queueName(tenant, referee), event)) return;
    }
    this.options.logger.warn({ tenant, referee, event: event.type }, 'no holder for a queue; the next sweep picks its work up');
  }

  private onQueueEvent(queue: string, event: QueueEvent): void {
    const parsed = parseQueueName(queue);
    if (!parsed) return;
    if (this.held.has(queue)) this.handle(parsed.tenant, parsed.referee, event);
    // Not (or no longer) the holder: take it or pass it on.
    else void this.route(parsed.tenant, parsed.referee, event).catch((error: unknown) => this.options.logger.warn({ err: error, queue }, 'forwarding queue work failed'));
  }

  private handle(tenant: string, referee: string, event: QueueEvent): void {
    switch (event.type) {
      case 'drain':
        this.scheduleLocal(tenant, referee);
        return;
      case 'archive':
        this.archiveLocal(tenant, event.user);
        return;
      case 'presence': {
        const room = parseRoomName(event.roomName);
        const handler = this.referees.get(referee);
        if (!room.ok || !handler?.onPresence) return;
        const task = handler.onPresence({ tenant, user: event.user, room: room.value, roomName: event.roomName, connected: event.connected, at: event.at });
        if (task) void this.task(tenant, referee, task).catch((error: unknown) => this.options.logger.error({ err: error, referee, room: event.roomName }, 'presence handling failed'));
        return;
      }
    }
  }

  /** Queues this process holds (tests, admin). */
  heldQueues(): string[] {
    return [...this.held.keys()];
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    if (this.aliveTimer) clearInterval(this.aliveTimer);
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    await this.sweeping;
    await this.idle();
    await this.options.store.serverState.set('last-alive', String(this.options.now())).catch(() => undefined);
    const coordinator = this.options.coordinator;
    if (coordinator) {
      // Hand the queues over now rather than after the lease TTL.
      this.held.clear();
      await coordinator.releaseAll().catch(() => undefined);
      coordinator.announceReleased();
    }
  }

  private enqueue<T>(key: string, job: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(key) ?? Promise.resolve();
    const next = previous.then(job, job);
    const settled = next.catch(() => undefined);
    this.queues.set(key, settled);
    void settled.then(() => {
      if (this.queues.get(key) === settled) this.queues.delete(key);
    });
    return next;
  }

  /** Asks for the pending intents of (tenant, referee) to be decided; repeated asks coalesce. */
  schedule(tenant: string, referee: string): void {
    if (this.stopped) return;
    if (this.options.coordinator) {
      void this.route(tenant, referee, { type: 'drain' }).catch((error: unknown) => this.options.logger.warn({ err: error, tenant, referee }, 'routing work to a queue failed'));
      return;
    }
    this.scheduleLocal(tenant, referee);
  }

  /** Decides the queue here (alone, or as its lease holder). */
  private scheduleLocal(tenant: string, referee: string): void {
    if (this.stopped) return;
    const key = `${tenant}\u0000${referee}`;
    if (this.drainRequested.has(key)) return;
    this.drainRequested.add(key);
    void this.enqueue(key, async () => {
      // Let the updates that arrived in this turn of the event loop be stored first, so that one
      // batch decides them all (one commit) rather than one drain each.
      await new Promise((resolve) => setImmediate(resolve));
      this.drainRequested.delete(key);
      await this.drain(tenant, referee);
    }).catch((error: unknown) => {
      if (error instanceof FencedError || error instanceof LeaseLostError) {
        this.options.logger.warn({ tenant, referee }, 'lost the lease of a queue while deciding; its new holder goes on');
        this.leaseLost(queueName(tenant, referee), tenant, referee);
        return;
      }
      this.options.logger.error({ err: error, tenant, referee }, 'deciding failed; retrying soon');
      setTimeout(() => this.schedule(tenant, referee), RETRY_MS).unref();
    });
  }

  /** Runs server-initiated work on a referee's queue, committed like a decision. */
  task<T>(tenant: string, referee: string, task: RefereeTask<T>): Promise<T> {
    return this.enqueue(`${tenant}\u0000${referee}`, () => this.commitJob({ tenant, referee, rooms: task.rooms, run: (context) => task.run(context) }));
  }

  private async drain(tenant: string, refereeName: string): Promise<void> {
    try {
      for (;;) {
        const rows = await this.options.store.intents.pending(tenant, refereeName, BATCH);
        if (rows.length === 0) return;
        let next = 0;
        while (next < rows.length) {
          if (this.stopped) return;
          if (this.options.coordinator && !this.held.has(queueName(tenant, refereeName))) return;
          next += await this.decideBatch(rows.slice(next));
          // The embedded store answers synchronously, so without this a backlog of thousands of
          // intents is decided in one macrotask: sockets, timers and other queues would wait
          // seconds for it (20,000 trades: ~3 s). One turn of the event loop per batch.
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
    } finally {
      await this.refreshPendingGauge();
    }
  }

  private async refreshPendingGauge(): Promise<void> {
    const at = this.options.now();
    if (at - this.pendingGaugeAt < PENDING_GAUGE_EVERY_MS) return;
    this.pendingGaugeAt = at;
    this.options.metrics.intentsPending.set(await this.options.store.intents.countPending());
  }

  private async author(tenant: string, user: string): Promise<Author | null> {
    const role = await this.options.directory.role(tenant, user);
    if (role === null) return null;
    const record = await this.options.directory.user(user);
    if (!record || record.deletedAt !== null) return null;
    return { tenant, user, role, name: record.displayName, kind: record.kind };
  }

  /**
   * Checks a pending intent (author, expiry, kind) and asks its referee for the rooms it touches.
   * `authors` is shared by the intents of one batch: membership is read once per batch.
   */
  private async prepare(row: PendingIntent, authors?: Map<string, Promise<Author | null>>, parsed = IntentRunner.parseRow(row)): Promise<PreparedIntent> {
    const now = this.options.now();
    const referee = this.referees.get(row.referee);
    const intent = parsed?.ok ? parsed.value : null;
    const kind = intent?.kind ?? row.kind;
    let verdict: Verdict | null = null;
    let author: Promise<Author | null> | undefined = authors?.get(row.user);
    if (author === undefined) {
      author = this.author(row.tenant, row.user);
      authors?.set(row.user, author);
    }
    const resolved = await author;
    let rooms: readonly string[] = [];
    if (row.problem !== null || intent === null) {
      verdict = { status: 'invalid', reason: { code: 'malformed', message: row.problem ?? (parsed && !parsed.ok ? parsed.error.message : 'malformed request') } };
    } else if (resolved === null) {
      verdict = { status: 'rejected', reason: { code: 'not-a-member', message: 'you are no longer a member of this community' } };
    } else if (intent.expiresAt < now) {
      verdict = { status: 'expired', reason: { code: 'expired', message: 'this request reached the server too late and was not applied' } };
    } else if (!referee || !referee.intentKinds.includes(intent.kind)) {
      verdict = { status: 'invalid', reason: { code: 'unknown-kind', message: `this server does not handle "${intent.kind}" requests; update the app or the server` } };
    } else {
      try {
        rooms = await referee.roomsFor(intent, resolved);
      } catch (error) {
        this.options.logger.warn({ err: error, kind }, 'referee could not name the rooms of an intent');
        verdict = { status: 'invalid', reason: { code: 'invalid', message: 'this request could not be read' } };
      }
    }
    return { row, intent, author: resolved, kind, verdict, rooms, now };
  }

  private static parseRow(row: PendingIntent): ReturnType<typeof parseIntent> | null {
    return row.envelope === null ? null : parseIntent(JSON.parse(row.envelope) as unknown);
  }

  /**
   * Decides a run of pending intents (in arrival order) in one job: one store commit and one
   * room update per room for the whole run, instead of one of each per intent. An intent joins
   * the run only if its referee says its rooms do not depend on the decisions before it
   * (`Referee.batchable`), since `roomsFor` is asked before any of them is decided. Returns how
   * many rows were decided (at least one). Any doubt (an intent decided elsewhere, a referee
   * crash on the first intent) falls back to deciding the first row alone.
   */
  private async decideBatch(rows: readonly PendingIntent[]): Promise<number> {
    const first = rows[0]!;
    const referee = this.referees.get(first.referee);
    const authors = new Map<string, Promise<Author | null>>();
    const items: PreparedIntent[] = [];
    for (const [index, row] of rows.entries()) {
      const parsed = IntentRunner.parseRow(row);
      if (index > 0) {
        const intent = parsed?.ok ? parsed.value : null;
        // The runner decides unreadable intents and unknown kinds itself: they join any batch.
        const runnerDecides = row.problem !== null || intent === null || !referee || !referee.intentKinds.includes(intent.kind);
        if (!runnerDecides && !(referee.batchable?.(intent) ?? false)) break;
      }
      items.push(await this.prepare(row, authors, parsed));
    }
    return this.commitBatch(items);
  }

  /**
   * Commits prepared intents as one job. A referee crash at intent k drops the whole job (the
   * rooms' memory is reloaded) and the k intents before it are committed again without it; the
   * crashing one then comes first in the next batch and is decided alone (invalid). Returns how
   * many intents were decided.
   */
  private async commitBatch(items: readonly PreparedIntent[]): Promise<number> {
    const first = items[0]!;
    if (items.length === 1) {
      await this.decideOne(first.row, first);
      return 1;
    }
    const rooms = new Set<string>();
    for (const item of items) {
      rooms.add(roomNames.inbox(item.row.tenant, item.row.user));
      for (const room of item.rooms) rooms.add(room);
    }
    let decided: Decision[];
    try {
      decided = await this.commitJob({
        tenant: first.row.tenant,
        referee: first.row.referee,
        leased: true,
        rooms: [...rooms],
        afterCommitFault: true,
        run: (context, decisions, steps) =>
          items.map((item, index) => {
            try {
              const decision = this.decidePrepared(item, context, decisions, this.verdictOf(item));
              steps.consume(item.row.arrival);
              steps.settle();
              return decision;
            } catch (error) {
              if (error instanceof RefereeCrash) throw new BatchCrash(index, error.cause);
              throw error;
            }
          }),
      });
    } catch (error) {
      if (error instanceof BatchCrash) {
        this.options.logger.warn({ err: error.cause, intent: items[error.index]!.row.intentId }, 'referee failed on an intent in a batch; deciding the ones before it without it');
        return this.commitBatch(items.slice(0, Math.max(1, error.index)));
      }
      if (error instanceof AlreadyDecidedError) {
        await this.decideOne(first.row);
        return 1;
      }
      throw error;
    }
    for (const [index, decision] of decided.entries()) this.options.metrics.intentsDecided.inc({ referee: items[index]!.row.referee, status: decision.status });
    return decided.length;
  }

  /** The referee's outcome for a prepared intent, unless the runner already decided it. */
  private verdictOf(item: PreparedIntent): (context: DecideContext) => Verdict {
    return (context) => {
      if (item.verdict !== null) return item.verdict;
      try {
        return this.referees.get(item.row.referee)!.decide(item.intent!, item.author!, context);
      } catch (error) {
        // A referee bug must not half-write rooms: rethrow so the runner evicts them.
        throw new RefereeCrash(error);
      }
    };
  }

  /** Decides one prepared intent inside a job: the outcome, its inbox entry and its decision row. */
  private decidePrepared(item: PreparedIntent, context: DecideContext, decisions: DecisionRow[], outcome: (context: DecideContext) => Verdict): Decision {
    const { row, kind } = item;
    const decision = decisionFor(row.intentId, kind, outcome(context), item.now);
    context.write(roomNames.inbox(row.tenant, row.user), (doc) => doc.getMap(INBOX_DECISIONS).set(row.intentId, decision));
    decisions.push({ tenant: row.tenant, user: row.user, intentId: row.intentId, kind, status: decision.status, decision: JSON.stringify(decision), decidedAt: decision.decidedAt });
    return decision;
  }

  private async decideOne(row: PendingIntent, prepared?: PreparedIntent): Promise<void> {
    const item = prepared ?? (await this.prepare(row));
    const inbox = roomNames.inbox(row.tenant, row.user);
    const commitDecision = (outcome: (context: DecideContext) => Verdict, roomList: readonly string[]) =>
      this.commitJob({
        tenant: row.tenant,
        referee: row.referee,
        leased: true,
        rooms: [inbox, ...roomList.filter((room) => room !== inbox)],
        consumed: [row.arrival],
        afterCommitFault: true,
        run: (context, decisions) => this.decidePrepared(item, context, decisions, outcome),
      });
    try {
      const decision = await commitDecision(this.verdictOf(item), item.rooms);
      this.options.metrics.intentsDecided.inc({ referee: row.referee, status: decision.status });
    } catch (error) {
      if (error instanceof AlreadyDecidedError) {
        await this.options.store.intents.commit({ updates: [], decisions: [], consumed: [row.arrival], deadlinesSet: [], deadlinesCleared: [], ledger: [] });
        return;
      }
      if (!(error instanceof RefereeCrash)) throw error;
      this.options.logger.error({ err: error.cause, kind: item.kind, intent: row.intentId }, 'referee failed on an intent; it is decided invalid');
      const decision = await commitDecision(() => ({ status: 'invalid', reason: { code: 'internal', message: 'the server could not process this request' } }), []);
      this.options.metrics.intentsDecided.inc({ referee: row.referee, status: decision.status });
    }
  }

  private async commitJob<T>(job: Job<T>): Promise<T> {
    const { rooms: manager, store, logger } = this.options;
    const fence = this.fenceFor(job.tenant, job.referee);
    if (this.options.coordinator && job.leased && !fence) throw new LeaseLostError(`not the holder of ${job.tenant}/${job.referee}`);
    // All at once, not one after another: a room that does not exist yet (a market's trades room
    // of the month) is created with an append, and awaited one by one, each of those appends was
    // its own group commit and event-loop turn (a batch touching 100 new rooms: 100 of each).
    const acquired = await Promise.allSettled(
      [...new Set(job.rooms)].map(async (name) => {
        const room = await manager.acquire(name);
        manager.hold(room);
        return room;
      }),
    );
    const loaded = acquired.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    try {
      const failed = acquired.find((result) => result.status === 'rejected');
      if (failed) throw failed.reason;
      // Cluster: other processes append to these rooms too; decide on what the store has.
      await Promise.all(loaded.map((room) => manager.catchUp(room)));
    } catch (error) {
      for (const room of loaded) manager.unhold(room);
      throw error;
    }
    const origin = { kind: 'referee' as const, referee: job.referee };
    const captured = new Map<Room, Uint8Array[]>();
    const listeners = loaded.map((room) => {
      const listener = (update: Uint8Array, updateOrigin: unknown) => {
        if (updateOrigin !== origin) return;
        const list = captured.get(room) ?? [];
        list.push(update);
        captured.set(room, list);
      };
      room.doc.on('update', listener);
      return () => room.doc.off('update', listener);
    });
    const byName = new Map(loaded.map((room) => [room.name, room]));
    /** The last word on each deadline id over the job's settled steps (null: cleared). */
    const deadlines = new Map<string, DeadlineRow | null>();
    for (const id of job.deadlinesCleared ?? []) deadlines.set(id, null);
    let stepSets: DeadlineRow[] = [];
    let stepClears: string[] = [];
    const ledger: LedgerRow[] = [];
    const decisions: DecisionRow[] = [];
    const consumed: number[] = [...(job.consumed ?? [])];
    const steps: JobSteps = {
      // Within one step the store's rule holds (clears before sets); across steps the later one wins.
      settle: () => {
        for (const id of stepClears) deadlines.set(id, null);
        for (const row of stepSets) deadlines.set(row.id, row);
        stepSets = [];
        stepClears = [];
      },
      consume: (arrival) => consumed.push(arrival),
    };
    const now = this.options.now();
    const context: DecideContext = {
      now,
      tenant: job.tenant,
      logger,
      doc: (name) => {
        const room = byName.get(name);
        if (!room) throw new Error(`room ${name} was not loaded for this decision`);
        return room.doc;
      },
      write: (name, change) => {
        const room = byName.get(name);
        if (!room) throw new Error(`room ${name} was not loaded for this decision`);
        room.doc.transact(() => change(room.doc), origin);
      },
      setDeadline: (deadline) =>
        stepSets.push({ id: deadline.id, tenant: job.tenant, referee: job.referee, kind: deadline.kind, fireAt: deadline.fireAt, payload: JSON.stringify(deadline.payload ?? null) }),
      clearDeadline: (id) => stepClears.push(id),
      ledger: (row) => ledger.push({ tenant: job.tenant, ...row, at: now }),
      rttOf: (user) => this.presence.rttOf(job.tenant, user),
      isConnected: (room, user) => this.presence.isConnected(room, user),
    };
    let result: T;
    try {
      // One Yjs transaction per room for the whole job: every write the job makes (a batch of
      // decisions) is encoded once per room when it ends, instead of once per write.
      const inTransactions = (index: number): T => (index === loaded.length ? job.run(context, decisions, steps) : loaded[index]!.doc.transact(() => inTransactions(index + 1), origin));
      try {
        result = inTransactions(0);
        steps.settle();
      } finally {
        for (const detach of listeners) detach();
      }
      const updates = [...captured].map(([room, list]) => ({ room: room.name, data: list.length === 1 ? list[0]! : Y.mergeUpdates(list), origin }));
      const deadlinesSet: DeadlineRow[] = [];
      const deadlinesCleared: string[] = [];
      for (const [id, row] of deadlines) {
        if (row === null) deadlinesCleared.push(id);
        else deadlinesSet.push(row);
      }
      const batch: DecisionCommit = { updates, decisions, consumed, deadlinesSet, deadlinesCleared, ledger, ...(fence ? { fence } : {}), ...(job.fired ? { fired: job.fired } : {}) };
      const { seqs } = await store.intents.commit(batch);
      if (job.afterCommitFault && this.options.fault === 'after-commit') {
        logger.warn('fault point after-commit: killing the server');
        process.kill(process.pid, 'SIGKILL');
      }
      for (const update of updates) {
        const room = byName.get(update.room)!;
        const seq = seqs.get(update.room);
        if (seq !== undefined) manager.committed(room, seq, update.data);
      }
      this.afterDeadlineCommit(deadlinesSet, deadlinesCleared, fence !== undefined || !this.options.coordinator);
      return result;
    } catch (error) {
      // Memory may now hold writes the store does not: drop those rooms so they reload.
      for (const room of captured.keys()) manager.evict(room.name);
      throw error;
    } finally {
      for (const room of loaded) manager.unhold(room);
    }
  }

  // Deadlines ---------------------------------------------------------------------------------

  private afterDeadlineCommit(set: readonly DeadlineRow[], cleared: readonly string[], arm: boolean): void {
    if (set.length === 0 && cleared.length === 0) return;
    for (const id of cleared) {
      this.deadlineAt.delete(id);
      this.firing.delete(id);
    }
    for (const row of set) {
      this.firing.delete(row.id);
      // Cluster: only the queue's holder arms its deadlines (a holder takes them from the store).
      if (arm || this.held.has(queueName(row.tenant, row.referee))) this.deadlineAt.set(row.id, row);
    }
    this.armDeadlines();
  }

  private armDeadlines(): void {
    if (this.stopped) return;
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    this.deadlineTimer = null;
    let earliest: DeadlineRow | null = null;
    for (const row of this.deadlineAt.values()) if (earliest === null || row.fireAt < earliest.fireAt) earliest = row;
    if (earliest === null) return;
    const delay = Math.min(Math.max(0, earliest.fireAt - this.options.now()), 3_600_000);
    this.deadlineTimer = setTimeout(() => this.fireDue(), delay);
  }

  private fireDue(): void {
    const now = this.options.now();
    for (const row of [...this.deadlineAt.values()]) {
      if (row.fireAt > now) continue;
      this.deadlineAt.delete(row.id);
      this.firing.set(row.id, row);
      void this.enqueue(`${row.tenant}\u0000${row.referee}`, () => this.fire(row)).catch((error: unknown) => {
        this.options.logger.error({ err: error, deadline: row.id }, 'deadline failed; retrying soon');
        setTimeout(() => {
          if (!this.deadlineAt.has(row.id) && !this.firing.has(row.id)) this.deadlineAt.set(row.id, row);
          this.armDeadlines();
        }, RETRY_MS).unref();
      });
    }
    this.armDeadlines();
  }

  private async fire(row: DeadlineRow): Promise<void> {
    // Cleared or re-set while this firing waited on the queue: the newer decision stands.
    if (this.firing.get(row.id) !== row) return;
    this.firing.delete(row.id);
    const referee = this.referees.get(row.referee);
    const deadline = toDeadline(row);
    const fired = [{ id: row.id, fireAt: row.fireAt }];
    try {
      if (!referee?.onDeadline) {
        this.options.logger.warn({ deadline: row.id, referee: row.referee }, 'no referee handles this deadline; dropping it');
        await this.commitJob({ tenant: row.tenant, referee: row.referee, rooms: [], fired, leased: true, run: () => undefined });
        return;
      }
      const rooms = (await referee.deadlineRooms?.(deadline)) ?? [];
      await this.commitJob({
        tenant: row.tenant,
        referee: row.referee,
        rooms,
        fired,
        leased: true,
        run: (context) => referee.onDeadline!(deadline, context),
      });
      this.options.metrics.deadlinesFired.inc({ referee: row.referee, kind: row.kind });
    } catch (error) {
      // Cleared, moved or fired already (by this queue's previous holder): the stored row stands,
      // and if it was moved, it is armed again at its new time.
      if (error instanceof DeadlineGoneError) {
        const current = (await this.options.store.deadlines.of(row.tenant, row.referee)).find((stored) => stored.id === row.id);
        if (current && !this.stopped && (!this.options.coordinator || this.held.has(queueName(row.tenant, row.referee))) && !this.deadlineAt.has(row.id)) {
          this.deadlineAt.set(current.id, current);
          this.armDeadlines();
        }
        return;
      }
      if (error instanceof FencedError || error instanceof LeaseLostError) {
        this.leaseLost(queueName(row.tenant, row.referee), row.tenant, row.referee);
        return;
      }
      throw error;
    }
  }

  /** Tells every referee that a user's presence in a room changed; runs what they return. */
  presenceChanged(event: PresenceEvent): void {
    if (this.stopped) return;
    if (this.options.coordinator) {
      for (const referee of this.referees.values()) {
        if (!referee.onPresence) continue;
        const wire: QueueEvent = { type: 'presence', user: event.user, roomName: event.roomName, connected: event.connected, at: event.at };
        void this.route(event.tenant, referee.name, wire).catch((error: unknown) => this.options.logger.warn({ err: error, referee: referee.name }, 'routing a presence change failed'));
      }
      return;
    }
    for (const referee of this.referees.values()) {
      const task = referee.onPresence?.(event);
      if (task) {
        void this.task(event.tenant, referee.name, task).catch((error: unknown) =>
          this.options.logger.error({ err: error, referee: referee.name, room: event.roomName }, 'presence handling failed'),
        );
      }
    }
  }

  /** Deadlines currently armed (tests and admin). */
  armedDeadlines(): DeadlineRow[] {
    return [...this.deadlineAt.values()].sort((a, b) => a.fireAt - b.fireAt);
  }

  // Archive: outbox → inbox → history ------------------------------------------------------------

  /**
   * The client deleted intents from its outbox because their decisions arrived: move those
   * decisions (and any other whose intent is gone) from the inbox to the history room of their
   * month, so that the inbox stays small.
   */
  archive(tenant: string, user: string): void {
    if (this.stopped) return;
    if (this.options.coordinator) {
      void this.route(tenant, ARCHIVE_QUEUE, { type: 'archive', user }).catch((error: unknown) => this.options.logger.warn({ err: error, tenant }, 'routing an archive request failed'));
      return;
    }
    this.archiveLocal(tenant, user);
  }

  private archiveLocal(tenant: string, user: string): void {
    if (this.stopped) return;
    void this.enqueue(`${tenant}\u0000${ARCHIVE_QUEUE}`, async () => {
      const inboxName = roomNames.inbox(tenant, user);
      const outbox = await this.options.rooms.acquire(roomNames.outbox(tenant, user));
      this.options.rooms.hold(outbox);
      try {
        await this.options.rooms.catchUp(outbox);
        const inbox = await this.options.rooms.acquire(inboxName);
        await this.options.rooms.catchUp(inbox);
        const intents = outbox.doc.getMap('intents');
        const decisions = inbox.doc.getMap<Decision>(INBOX_DECISIONS);
        const moves = new Map<string, Array<[string, Decision]>>();
        for (const [id, decision] of decisions) {
          if (intents.has(id)) continue;
          const month = monthKey(typeof decision?.decidedAt === 'number' ? decision.decidedAt : this.options.now());
          const list = moves.get(month) ?? [];
          list.push([id, decision]);
          moves.set(month, list);
        }
        if (moves.size === 0) return;
        await this.commitJob({
          tenant,
          referee: ARCHIVE_QUEUE,
          leased: true,
          rooms: [inboxName, ...[...moves.keys()].map((month) => roomNames.history(tenant, user, month))],
          run: (context) => {
            for (const [month, list] of moves) {
              context.write(roomNames.history(tenant, user, month), (doc) => {
                for (const [id, decision] of list) doc.getMap(INBOX_DECISIONS).set(id, decision);
              });
            }
            context.write(inboxName, (doc) => {
              for (const list of moves.values()) for (const [id] of list) doc.getMap(INBOX_DECISIONS).delete(id);
            });
          },
        });
      } finally {
        this.options.rooms.unhold(outbox);
      }
    }).catch((error: unknown) => this.options.logger.error({ err: error, tenant, user }, 'archiving decisions failed'));
  }

  /** Waits until every queue is idle (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.queues.size > 0) await Promise.allSettled([...this.queues.values()]);
  }
}

class RefereeCrash extends Error {
  override readonly name = 'RefereeCrash';
  constructor(cause: unknown) {
    super('referee crashed', { cause });
  }
}

function decisionFor(intentId: string, kind: string, outcome: Outcome | { status: 'invalid' | 'expired'; reason: DecisionReason }, now: number): Decision {
  const base = { v: 1 as const, intentId, kind, status: outcome.status, decidedAt: now };
  const withReason = 'reason' in outcome && outcome.reason ? { ...base, reason: { code: outcome.reason.code.slice(0, 64), message: outcome.reason.message.slice(0, 500) } } : base;
  return 'result' in outcome && outcome.result !== undefined ? { ...withReason, result: outcome.result } : withReason;
}

function toDeadline(row: DeadlineRow): Deadline {
  return { id: row.id, tenant: row.tenant, referee: row.referee, kind: row.kind, fireAt: row.fireAt, payload: JSON.parse(row.payload) as unknown };
}

export type { IntentEnvelope };
