/**
 * The API for trusted in-process referees: declare the intent kinds handled, receive each intent
 * with its author, write through the rooms the decision touches. A referee's `decide` is
 * synchronous: the runner loads every room first, runs it, and commits everything it wrote (the
 * decision, room updates, deadlines, ledger rows) in one store transaction.
 */
import type * as Y from 'yjs';
import type { DecisionReason, IntentEnvelope } from '../../../shared/sync/intents.ts';
import type { AccessFacts, Principal, Role, RoomRef } from '../../../shared/sync/rooms.ts';
import type { Logger } from '../log.ts';

export interface Author {
  readonly tenant: string;
  readonly user: string;
  readonly role: Role;
  readonly name: string;
  readonly kind: 'account' | 'guest';
}

export type Outcome =
  | { readonly status: 'accepted'; readonly result?: unknown }
  | { readonly status: 'rejected'; readonly reason: DecisionReason; readonly result?: unknown };

export interface Deadline<Payload = unknown> {
  readonly id: string;
  readonly tenant: string;
  readonly referee: string;
  readonly kind: string;
  readonly fireAt: number;
  readonly payload: Payload;
}

export interface DecideContext {
  /** Server time of this decision, ms. */
  readonly now: number;
  readonly tenant: string;
  readonly logger: Logger;
  /** A loaded room's document, to read. */
  doc(room: string): Y.Doc;
  /** Changes a loaded room; only rooms named by `roomsFor` / `deadlineRooms` may be written. */
  write(room: string, change: (doc: Y.Doc) => void): void;
  setDeadline(deadline: { id: string; kind: string; fireAt: number; payload: unknown }): void;
  clearDeadline(id: string): void;
  ledger(row: { account: string; kind: string; amount: number; ref: string }): void;
  /** Round-trip time of a user's connection (WebSocket pings), for lag compensation. */
  rttOf(user: string): number | null;
  /** Whether a user has a live connection to a room now. */
  isConnected(room: string, user: string): boolean;
}

export interface RefereeStartContext {
  readonly now: number;
  /** How long the server was down (0 on first start): deadlines must not charge it. */
  readonly downtimeMs: number;
  readonly logger: Logger;
}

export interface Referee {
  /** Queue name: deciding is serialized per (tenant, referee). */
  readonly name: string;
  readonly intentKinds: readonly string[];
  /** Rooms the decision may touch besides the author's inbox (always loaded and writable). */
  roomsFor(intent: IntentEnvelope, author: Author): readonly string[] | Promise<readonly string[]>;
  decide(intent: IntentEnvelope, author: Author, context: DecideContext): Outcome;
  /**
   * Whether this intent may be decided in one batch (one commit) with the intents queued before
   * it: true when `roomsFor` names the same rooms whatever those earlier intents decide (it is
   * asked for the whole batch before any of them is decided). Absent or false: the intent starts
   * a new batch. `decide` always runs in arrival order on the state the earlier ones left.
   */
  batchable?(intent: IntentEnvelope): boolean;
  deadlineRooms?(deadline: Deadline): readonly string[] | Promise<readonly string[]>;
  onDeadline?(deadline: Deadline, context: DecideContext): void;
  /** Called once at start, before deadlines are re-armed (e.g. to shift clocks by downtime). */
  start?(context: RefereeStartContext & { shiftDeadlines(filter: (deadline: Deadline) => boolean, byMs: number): Promise<void> }): Promise<void>;
  /** Facts for the access table (e.g. who plays a game), when a room of this referee is opened. */
  accessFacts?(room: RoomRef, principal: Principal): Promise<AccessFacts>;
  /**
   * Cluster mode: this process just became the decider of this referee's queue for `tenant` (a
   * lease taken at start, after a crash or a graceful handover elsewhere). Another process may have
   * decided meanwhile: drop any in-memory cache for the tenant (e.g. positions) and rebuild it from
   * the rooms, which the runner catches up from the store before every decision.
   */
  onQueueTaken?(tenant: string): void;
  /**
   * A user's first connection to a room opened, or their last one closed (e.g. a chess player
   * dropped). Return work for this referee's queue, or null to ignore.
   */
  onPresence?(event: PresenceEvent): RefereeTask<unknown> | null;
}

export interface PresenceEvent {
  readonly tenant: string;
  readonly user: string;
  readonly room: RoomRef;
  readonly roomName: string;
  readonly connected: boolean;
  readonly at: number;
}

/** A unit of server-initiated work on a referee's queue (not from an intent). */
export interface RefereeTask<T> {
  readonly rooms: readonly string[];
  run(context: DecideContext): T;
}
