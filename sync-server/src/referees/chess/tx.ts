/**
 * One chess decision (an intent, a deadline or a presence change) on top of the runner's
 * DecideContext. Deadlines are collected and written once at the end, so that setting and
 * clearing the same id in one decision keeps the last word (the store clears before it sets).
 */
import type { DecideContext } from '../../intents/referee.ts';
import type { ChessDeadlineKind } from './ids.ts';

interface PlannedDeadline {
  readonly kind: ChessDeadlineKind;
  readonly fireAt: number;
  readonly payload: unknown;
}

export class ChessTx {
  readonly ctx: DecideContext;
  readonly tenant: string;
  readonly now: number;
  private readonly deadlines = new Map<string, PlannedDeadline | null>();

  constructor(ctx: DecideContext) {
    this.ctx = ctx;
    this.tenant = ctx.tenant;
    this.now = ctx.now;
  }

  setDeadline(id: string, kind: ChessDeadlineKind, fireAt: number, payload: unknown): void {
    this.deadlines.set(id, { kind, fireAt, payload });
  }

  clearDeadline(id: string): void {
    this.deadlines.set(id, null);
  }

  /** Whether a room was loaded for this decision (named by `roomsFor` / `deadlineRooms`). */
  hasRoom(room: string): boolean {
    try {
      this.ctx.doc(room);
      return true;
    } catch {
      return false;
    }
  }

  flush(): void {
    for (const [id, deadline] of this.deadlines) {
      if (deadline === null) this.ctx.clearDeadline(id);
      else this.ctx.setDeadline({ id, kind: deadline.kind, fireAt: deadline.fireAt, payload: deadline.payload });
    }
    this.deadlines.clear();
  }
}

/** Runs `body` as one chess decision and writes its deadlines. */
export function inTx<T>(ctx: DecideContext, body: (tx: ChessTx) => T): T {
  const tx = new ChessTx(ctx);
  const result = body(tx);
  tx.flush();
  return result;
}
