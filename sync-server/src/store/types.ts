/**
 * The store interfaces. Everything durable goes through these, so that the embedded SQLite store
 * and a Postgres store (with Redis fan-out) are interchangeable without touching room or referee
 * logic. Methods are async for the networked adapters; the SQLite adapter completes each call in
 * one synchronous transaction before its promise resolves.
 */

import type { AuthStore, DirectoryStore } from './directory-types.ts';
import type { ImageMime } from '../../../shared/domain/commerce/product.ts';
import type { CallIdentity, LedgerSnapshot } from '../../../shared/domain/llm/budgets.ts';
import type { GuardConfig, SessionGuardState } from '../../../shared/domain/llm/guards.ts';
import type { CallPlan } from '../../../shared/domain/llm/plan.ts';
import type { KillSwitchScope } from '../../../shared/domain/llm/refusal.ts';
import type { CallOutcome } from '../../../shared/domain/llm/settle.ts';
import type { DomainError, Result } from '../../../shared/domain/result.ts';
import type {
  CallRecord,
  KillSwitchRecord,
  LedgerAlert,
  PlanInput,
  RecoveredCall,
  ReserveResult,
  ScopeRecord,
  SettleMeta,
  SettleResult,
  SpendRow,
  StoredSession,
} from '../../../shared/llm-ledger/ledger.ts';

/** Who caused a write: every stored update carries one. */
export type WriteOrigin =
  | { readonly kind: 'client'; readonly user: string; readonly connection: string }
  | { readonly kind: 'referee'; readonly referee: string }
  | { readonly kind: 'server'; readonly reason: string };

export interface StoredRoom {
  /** Compacted state up to `snapshotSeq`, or null for a room never compacted. */
  readonly snapshot: Uint8Array | null;
  readonly snapshotSeq: number;
  /** Updates after the snapshot, in sequence order. */
  readonly updates: ReadonlyArray<{ readonly seq: number; readonly data: Uint8Array }>;
}

export interface PendingIntentInput {
  readonly tenant: string;
  readonly user: string;
  readonly intentId: string;
  readonly kind: string;
  readonly referee: string;
  /** The envelope as JSON, or null when it could not be parsed (decided `invalid`). */
  readonly envelope: string | null;
  readonly problem: string | null;
  readonly receivedAt: number;
}

export interface PendingIntent extends PendingIntentInput {
  /** Arrival order, global to the store. */
  readonly arrival: number;
}

export interface DecisionRow {
  readonly tenant: string;
  readonly user: string;
  readonly intentId: string;
  readonly kind: string;
  readonly status: string;
  readonly decision: string;
  readonly decidedAt: number;
}

export interface DeadlineRow {
  readonly id: string;
  readonly tenant: string;
  readonly referee: string;
  readonly kind: string;
  readonly fireAt: number;
  readonly payload: string;
}

export interface LedgerRow {
  readonly tenant: string;
  readonly account: string;
  readonly kind: string;
  readonly amount: number;
  readonly ref: string;
  readonly at: number;
}

export interface RoomAppend {
  readonly room: string;
  readonly data: Uint8Array;
  readonly origin: WriteOrigin;
}

/** Everything one referee decision (or deadline) writes, committed atomically. */
export interface DecisionCommit {
  readonly updates: readonly RoomAppend[];
  readonly decisions: readonly DecisionRow[];
  /** Pending rows this commit consumes (by arrival number). */
  readonly consumed: readonly number[];
  readonly deadlinesSet: readonly DeadlineRow[];
  readonly deadlinesCleared: readonly string[];
  readonly ledger: readonly LedgerRow[];
  /**
   * Deadlines this commit fires: each row must still exist with this `fireAt` (it is deleted), or
   * nothing is written (DeadlineGoneError). A deadline therefore fires once, whatever the processes.
   */
  readonly fired?: ReadonlyArray<{ readonly id: string; readonly fireAt: number }>;
  /**
   * The lease under which a queue's holder writes (cluster mode): the commit fails with FencedError
   * when a newer holder (a higher epoch) has written for that queue, so a process that lost its
   * lease cannot write for it any more.
   */
  readonly fence?: QueueFence;
}

export interface QueueFence {
  readonly queue: string;
  readonly epoch: number;
  readonly holder: string;
}

/** A room's state after a sequence number: what a process that may have missed updates catches up with. */
export interface RoomDelta {
  /** The compacted state, only when the snapshot covers updates after `afterSeq` (they were folded in). */
  readonly snapshot: Uint8Array | null;
  readonly snapshotSeq: number;
  readonly updates: ReadonlyArray<{ readonly seq: number; readonly data: Uint8Array }>;
}

export interface RoomStore {
  load(room: string): Promise<StoredRoom>;
  /**
   * Appends a client's update and, in the same transaction, copies the new intents it carries
   * into the pending table (first content seen for an intent id wins; decided ids are skipped).
   * Returns the update's sequence number and the intents actually queued.
   */
  appendUpdate(append: RoomAppend, intents?: readonly PendingIntentInput[]): Promise<{ seq: number; queued: number }>;
  /**
   * True when appends called one after another without awaiting are stored in call order (the
   * embedded store queues them for one group commit). Otherwise a caller that needs the order
   * (a room's updates, whose intents' first content wins) awaits each append before the next.
   */
  readonly appendsInCallOrder?: boolean;
  /** Replaces updates up to `uptoSeq` with one snapshot. */
  compact(room: string, snapshot: Uint8Array, uptoSeq: number): Promise<void>;
  /** Number of updates stored after the snapshot (for compaction decisions). */
  updateCount(room: string): Promise<number>;
  /** Every room name with stored state (admin, backups, tests). */
  listRooms(prefix?: string): Promise<string[]>;
  /** What was stored after `afterSeq` (catch-up after a gap in the fan-out). */
  since(room: string, afterSeq: number): Promise<RoomDelta>;
  /** The last sequence number of each room (0 for a room never written). */
  heads(rooms: readonly string[]): Promise<Map<string, number>>;
}

export interface IntentStore {
  /** Pending intents of one (tenant, referee) in arrival order. */
  pending(tenant: string, referee: string, limit: number): Promise<PendingIntent[]>;
  /** The (tenant, referee) pairs with pending intents: what to decide after a restart. */
  pendingQueues(): Promise<Array<{ tenant: string; referee: string }>>;
  decision(tenant: string, user: string, intentId: string): Promise<DecisionRow | null>;
  /** Commits a decision batch atomically; fails (and writes nothing) if an intent was already decided. */
  commit(batch: DecisionCommit): Promise<{ seqs: ReadonlyMap<string, number> }>;
  countPending(): Promise<number>;
  /** Every decision on a user's intents, in every tenant (data export). */
  decisionsOf(user: string): Promise<DecisionRow[]>;
  /** Records a new lease epoch for a queue (a holder's first write); false if a newer epoch is recorded. */
  claimFence(fence: QueueFence, now: number): Promise<boolean>;
}

export interface DeadlineStore {
  all(): Promise<DeadlineRow[]>;
  next(): Promise<DeadlineRow | null>;
  /** The deadlines of one (tenant, referee) queue, earliest first. */
  of(tenant: string, referee: string): Promise<DeadlineRow[]>;
  /** The (tenant, referee) queues with deadlines. */
  queues(): Promise<Array<{ tenant: string; referee: string }>>;
}

export interface LedgerStore {
  rows(tenant: string, account?: string): Promise<LedgerRow[]>;
}

/**
 * The LLM spend ledger (see shared/llm-ledger/ledger.ts for the semantics). `reserve` plans and
 * reserves atomically across every budget scope with the session's guard state; `settle` closes
 * a call once. An implementation that cannot write must throw: the proxy then refuses (503).
 * A Postgres version does the same in one transaction with `SELECT … FOR UPDATE` on the session
 * row and the same conditional `UPDATE`s on the scope rows.
 */
export interface LlmLedgerStore {
  reserve(input: PlanInput): Promise<ReserveResult>;
  settle(callId: string, plan: CallPlan, outcome: CallOutcome, meta: SettleMeta): Promise<SettleResult | null>;
  /**
   * Settles every call left open by a crash at its full reservation. `liveOwners`: in a cluster,
   * the processes known alive, whose open calls are still running and are left alone.
   */
  recoverOpenCalls(now: number, guards: GuardConfig, liveOwners?: readonly string[]): Promise<{ calls: RecoveredCall[]; alerts: LedgerAlert[] }>;
  createSession(identity: CallIdentity, now: number): Promise<SessionGuardState>;
  session(identity: CallIdentity): Promise<StoredSession | null>;
  recentSessions(tenant: string, user: string, limit: number): Promise<StoredSession[]>;
  resumeSession(identity: CallIdentity, now: number): Promise<Result<SessionGuardState, DomainError<'needs-new-session' | 'no-session'>>>;
  snapshot(keys: readonly string[]): Promise<LedgerSnapshot>;
  openReservations(): Promise<{ count: number; microUsd: number }>;
  call(id: string): Promise<CallRecord | null>;
  scopes(prefix?: string): Promise<ScopeRecord[]>;
  spend(filter: { tenant?: string; fromDay: string; toDay: string }): Promise<SpendRow[]>;
  alerts(filter: { tenant?: string; user?: string; limit: number }): Promise<LedgerAlert[]>;
  killSwitches(): Promise<KillSwitchRecord[]>;
  setKillSwitch(record: KillSwitchRecord): Promise<void>;
  clearKillSwitch(scope: KillSwitchScope, target: string): Promise<boolean>;
  setting(key: string): Promise<string | null>;
  setSetting(key: string, value: string, now: number): Promise<void>;
}

/** A stored blob's metadata: content-addressed by `hash` (sha256, 64 lowercase hex) within its tenant. */
export interface BlobRecord {
  readonly tenant: string;
  readonly hash: string;
  readonly mime: ImageMime;
  readonly size: number;
  readonly createdAt: number;
}

export interface BlobInput {
  readonly tenant: string;
  /** The sha256 of `data`, computed by the caller (`blobHash`); the store keys the bytes by it. */
  readonly hash: string;
  readonly mime: ImageMime;
  readonly data: Uint8Array;
  readonly createdAt: number;
}

/**
 * Blobs (product images), bytes and metadata in the store itself, so that every server process
 * serves every image and a backup of the store carries them. Keyed by (tenant, hash): the same
 * bytes in one tenant are one blob, in two tenants two.
 */
export interface BlobStore {
  /** Stores the bytes once: `created` false (and nothing written) when (tenant, hash) is stored already. Returns what is stored. */
  put(blob: BlobInput): Promise<{ readonly created: boolean; readonly blob: BlobRecord }>;
  get(tenant: string, hash: string): Promise<(BlobRecord & { readonly data: Uint8Array }) | null>;
  /** A tenant's blobs without their bytes, oldest first (admin, tests). */
  list(tenant: string): Promise<BlobRecord[]>;
}

export interface ServerStateStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  readonly directory: DirectoryStore;
  readonly auth: AuthStore;
  readonly rooms: RoomStore;
  readonly intents: IntentStore;
  readonly deadlines: DeadlineStore;
  readonly ledger: LedgerStore;
  readonly serverState: ServerStateStore;
  readonly llm: LlmLedgerStore;
  readonly blobs: BlobStore;
  /** Health for /readyz. */
  ping(): Promise<void>;
  /** A consistent online copy of everything (SQLite: `VACUUM INTO`); Postgres answers with how to use pg_dump. */
  backup(file: string): Promise<void>;
  close(): Promise<void>;
}

export class StoreError extends Error {
  override readonly name: string = 'StoreError';
}

export class AlreadyDecidedError extends StoreError {
  override readonly name = 'AlreadyDecidedError';
}

/** A newer lease holder wrote for this queue: this process lost the lease and must stop. */
export class FencedError extends StoreError {
  override readonly name = 'FencedError';
}

/** A deadline to fire was cleared, moved or fired already: nothing was written. */
export class DeadlineGoneError extends StoreError {
  override readonly name = 'DeadlineGoneError';
}
