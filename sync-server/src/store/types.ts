/**
 * The store interfaces. Everything durable goes through these, so that the embedded SQLite store
 * and a Postgres store (with Redis fan-out) are interchangeable without touching room or referee
 * logic. Methods are async for the networked adapters; the SQLite adapter completes each call in
 * one synchronous transaction before its promise resolves.
 */

import type { AuthStore, DirectoryStore } from './directory-types.ts';

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
}

export interface RoomStore {
  load(room: string): Promise<StoredRoom>;
  /**
   * Appends a client's update and, in the same transaction, copies the new intents it carries
   * into the pending table (first content seen for an intent id wins; decided ids are skipped).
   * Returns the update's sequence number and the intents actually queued.
   */
  appendUpdate(append: RoomAppend, intents?: readonly PendingIntentInput[]): Promise<{ seq: number; queued: number }>;
  /** Replaces updates up to `uptoSeq` with one snapshot. */
  compact(room: string, snapshot: Uint8Array, uptoSeq: number): Promise<void>;
  /** Number of updates stored after the snapshot (for compaction decisions). */
  updateCount(room: string): Promise<number>;
  /** Every room name with stored state (admin, backups, tests). */
  listRooms(prefix?: string): Promise<string[]>;
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
}

export interface DeadlineStore {
  all(): Promise<DeadlineRow[]>;
  next(): Promise<DeadlineRow | null>;
}

export interface LedgerStore {
  rows(tenant: string, account?: string): Promise<LedgerRow[]>;
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
  /** Health for /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export class StoreError extends Error {
  override readonly name: string = 'StoreError';
}

export class AlreadyDecidedError extends StoreError {
  override readonly name = 'AlreadyDecidedError';
}
