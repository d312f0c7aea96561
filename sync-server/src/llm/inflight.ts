/**
 * Calls in flight (so that a kill switch or shutdown can cut them at once) and the bounded pool
 * of drains (streams read on after their client left, to settle them on their real usage).
 */

export type CutReason = 'kill-switch' | 'shutdown' | 'timeout';

export interface InflightCall {
  readonly callId: string;
  readonly tenant: string;
  readonly user: string;
  readonly session: string;
  /** Stops the call now: aborts upstream, ends the client's answer, settles at the reservation. */
  cut(reason: CutReason): void;
  /** Resolves once the call is settled (or could not be). */
  readonly done: Promise<void>;
}

export class InflightCalls {
  private readonly calls = new Map<string, InflightCall>();

  add(call: InflightCall): void {
    this.calls.set(call.callId, call);
  }

  delete(callId: string): void {
    this.calls.delete(callId);
  }

  get size(): number {
    return this.calls.size;
  }

  /** Cuts every call `match` selects; returns how many. */
  cutWhere(match: (call: InflightCall) => boolean, reason: CutReason): InflightCall[] {
    const cut = [...this.calls.values()].filter(match);
    for (const call of cut) call.cut(reason);
    return cut;
  }
}

export class DrainSlots {
  private readonly max: number;
  private used = 0;

  constructor(max: number) {
    this.max = max;
  }

  tryTake(): boolean {
    if (this.used >= this.max) return false;
    this.used += 1;
    return true;
  }

  release(): void {
    this.used = Math.max(0, this.used - 1);
  }

  get active(): number {
    return this.used;
  }
}
