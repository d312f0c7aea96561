/**
 * One loaded room: its Y.Doc, its awareness, the connections reading it, and a write chain that
 * keeps every change to it in order: apply → store → publish. Nothing is published before the
 * store has it.
 */
import { Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';
import type { ViolationReport } from '../../../shared/sync/protocol.ts';
import type { RoomRef } from '../../../shared/sync/rooms.ts';

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
  /** Sequence number of the last update this process stored or loaded. */
  lastSeq: number;
  /** Updates stored since the last snapshot; compaction folds them in. */
  updatesSinceSnapshot: number;
  /** Referee transactions and other holders that keep the room loaded. */
  holds = 0;
  unloadTimer: ReturnType<typeof setTimeout> | null = null;
  destroyed = false;
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
