/**
 * Step 1 of deciding: when an update lands in an outbox room, every intent it adds is copied into
 * the pending table in the same store transaction (see RoomManager.applyClientUpdate). Deleted
 * intents mean their decisions arrived: those decisions move on to the history rooms.
 */
import { OUTBOX_INTENTS, parseIntent } from '../../../shared/sync/intents.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { Room, RoomPeer } from '../rooms/room.ts';
import type { ClientUpdateHooks, KeyChanges } from '../rooms/room-manager.ts';
import { checkKeys, ruleFor } from '../rooms/rules.ts';
import type { PendingIntentInput, WriteOrigin } from '../store/types.ts';
import { SYSTEM_QUEUE, type FaultPoint, type IntentRunner } from './runner.ts';

const MAX_INTENT_JSON = 64 * 1024;

export class IntentIngest implements ClientUpdateHooks {
  private readonly runner: IntentRunner;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly fault: FaultPoint | undefined;
  private readonly metrics: Metrics;
  private readonly lastQueues = new WeakMap<Room, Set<string>>();

  constructor(runner: IntentRunner, logger: Logger, metrics: Metrics, now: () => number, fault?: FaultPoint) {
    this.runner = runner;
    this.logger = logger;
    this.metrics = metrics;
    this.now = now;
    this.fault = fault;
  }

  watchedMap(room: Room): string | null {
    if (room.ref.kind === 'outbox') return OUTBOX_INTENTS;
    return ruleFor(room)?.map ?? null;
  }

  /** Step 1 of deciding: the intents an outbox update carries. */
  intentsFor(room: Room, changes: KeyChanges, _origin: WriteOrigin): PendingIntentInput[] {
    if (room.ref.kind !== 'outbox') return [];
    const { tenant, user } = room.ref;
    const map = room.doc.getMap(OUTBOX_INTENTS);
    const receivedAt = this.now();
    // Several updates of one room may be read before any of them is stored (RoomManager batches
    // a room's waiting updates): their queues add up until afterStore schedules them.
    const queues = this.lastQueues.get(room) ?? new Set<string>();
    const rows: PendingIntentInput[] = [];
    for (const key of new Set(changes.upserted)) {
      const value = map.get(key);
      if (value === undefined) continue;
      let json: string | null = null;
      let problem: string | null = null;
      let kind = 'unknown';
      let referee = SYSTEM_QUEUE;
      try {
        json = JSON.stringify(value);
      } catch {
        problem = 'the request is not plain data';
      }
      if (json !== null && json.length > MAX_INTENT_JSON) {
        problem = 'the request is too large';
        json = null;
      }
      if (json !== null) {
        const parsed = parseIntent(JSON.parse(json) as unknown);
        if (!parsed.ok) {
          problem = parsed.error.message;
          json = null;
        } else if (parsed.value.id !== key) {
          problem = 'the request id does not match its key';
          json = null;
        } else {
          kind = parsed.value.kind;
          const handler = this.runner.refereeFor(kind);
          if (handler) referee = handler.name;
        }
      }
      if (key.length > 64) continue;
      rows.push({ tenant, user, intentId: key, kind, referee, envelope: json, problem, receivedAt });
      queues.add(referee);
    }
    if (queues.size > 0) this.lastQueues.set(room, queues);
    return rows;
  }

  afterStore(room: Room, changes: KeyChanges, queued: number, writer: RoomPeer): void {
    for (const report of checkKeys(room, changes.upserted)) {
      this.metrics.ruleViolations.inc({ room_kind: room.ref.kind, code: report.code });
      this.logger.warn({ room: room.name, path: report.path, code: report.code }, 'stored content breaks a rule; projections hide it');
      writer.sendViolation?.(report);
    }
    if (room.ref.kind !== 'outbox') return;
    const { tenant, user } = room.ref;
    if (queued > 0) {
      if (this.fault === 'after-ingest') {
        this.logger.warn('fault point after-ingest: killing the server');
        process.kill(process.pid, 'SIGKILL');
      }
      const queues = this.lastQueues.get(room);
      this.lastQueues.delete(room);
      for (const referee of queues ?? []) this.runner.schedule(tenant, referee);
    }
    if (changes.deleted.length > 0) this.runner.archive(tenant, user);
  }
}
