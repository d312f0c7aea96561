/**
 * One loaded room: its Y.Doc, its awareness, the connections reading it, and a write chain that
 * keeps every change to it in order: apply → store → publish. Nothing is published before the
 * store has it.
 */
import { Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';
import type { ViolationReport } from '../../../shared/sync/protocol.ts';
import type { RoomRef } from '../../../shared/sync/rooms.ts';
import type { IncomingUpdate } from './room-manager.ts';

export interface RoomPeer {
  readonly id: string;
  readonly isPlaza: boolean;
  send(message: Uint8Array): void;
  sendViolation?(report: ViolationReport): void;
}

export class Room {
  readonly name: string;
  readonly ref: RoomRef;
  readonly doc: Y.Doc;
  readonly awareness: Awareness;
  readonly peers = new Set<RoomPeer>();
  /**
   * Every update up to this sequence number is in `doc` (contiguous). Updates applied past a gap
   * (another process's append not received yet) wait in `ahead` until the gap is filled.
   */
  lastSeq: number;
  readonly ahead = new Set<number>();
  /** A catch-up from the store is scheduled for a gap. */
  gapTimer: ReturnType<typeof setTimeout> | null = null;
  /** Stops this room's remote messages (cluster mode). */
  leaveFanout: (() => void) | null = null;
  /** Updates stored since the last snapshot; compaction folds them in. */
  updatesSinceSnapshot: number;
  /** Referee transactions and other holders that keep the room loaded. */
  holds = 0;
  unloadTimer: ReturnType<typeof setTimeout> | null = null;
  destroyed = false;
  /** Client updates waiting for this room's next turn, if one is queued and not started. */
  incoming: IncomingUpdate[] | null = null;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(name: string, ref: RoomRef, doc: Y.Doc, lastSeq: number, updatesSinceSnapshot: number) {
    this.name = name;
    this.ref = ref;
    this.doc = doc;
    this.awareness = new Awareness(doc);
    // The server has no presence of its own.
    this.awareness.setLocalState(null);
    this.lastSeq = lastSeq;
    this.updatesSinceSnapshot = updatesSinceSnapshot;
  }

  /** Whether update `seq` is already in the document. */
  hasSeq(seq: number): boolean {
    return seq <= this.lastSeq || this.ahead.has(seq);
  }

  /** Records that update `seq` is in the document. */
  noteSeq(seq: number): void {
    if (seq <= this.lastSeq) return;
    if (seq === this.lastSeq + 1) this.lastSeq = seq;
    else this.ahead.add(seq);
    this.absorb();
  }

  /** Records that every update up to `seq` is in the document (after a catch-up from the store). */
  advanceTo(seq: number): void {
    if (seq > this.lastSeq) this.lastSeq = seq;
    for (const ahead of this.ahead) if (ahead <= this.lastSeq) this.ahead.delete(ahead);
    this.absorb();
  }

  private absorb(): void {
    while (this.ahead.delete(this.lastSeq + 1)) this.lastSeq += 1;
  }

  get hasGap(): boolean {
    return this.ahead.size > 0;
  }

  /** Runs `task` after every earlier task on this room; a failed task does not block later ones. */
  enqueue<T>(task: () => Promise<T> | T): Promise<T> {
    const next = this.chain.then(task, task);
    this.chain = next.catch(() => undefined);
    return next;
  }

  broadcast(message: Uint8Array, except?: RoomPeer): number {
    let sent = 0;
    for (const peer of this.peers) {
      if (peer === except) continue;
      peer.send(message);
      sent += 1;
    }
    return sent;
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    if (this.unloadTimer) clearTimeout(this.unloadTimer);
    if (this.gapTimer) clearTimeout(this.gapTimer);
    this.leaveFanout?.();
    this.leaveFanout = null;
    this.awareness.destroy();
    this.doc.destroy();
  }
}

/** True when an update carries no structs and no deletions (a no-op sync step 2). */
export function isEmptyUpdate(update: Uint8Array): boolean {
  if (update.length <= 2) return true;
  const decoded = Y.decodeUpdate(update);
  return decoded.structs.length === 0 && decoded.ds.clients.size === 0;
}
