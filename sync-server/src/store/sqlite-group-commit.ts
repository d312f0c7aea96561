/**
 * Group commit for the embedded store: ledger writes asked for during one turn of the event loop
 * (the reservations and settlements of every request that reached that point together) run in
 * ONE `BEGIN IMMEDIATE` transaction, each in its own SAVEPOINT (see `immediateTransaction` in
 * shared/llm-ledger/db.ts). A commit writes every page it touched once, and concurrent calls share
 * most of their pages (the tenant's and the global scope rows, the day indexes), so a group costs
 * far less than one commit each.
 *
 * What each operation sees and decides is unchanged: they run one after another on the one
 * connection, each against the writes of those before it, each all-or-nothing. What changes is
 * only when their promises resolve: after the COMMIT of the whole group, so nothing is reported
 * written (and no AI call starts) before it is durable. If any operation throws, or the COMMIT
 * fails, the group is rolled back and every operation of it is run again alone, so that one bad
 * operation fails by itself and a failing disk fails them all (fail closed).
 */
import { immediateTransaction, type SqlDatabase } from '../../../shared/llm-ledger/db.ts';

interface Job {
  readonly run: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

export class GroupCommit {
  private readonly db: SqlDatabase;
  private readonly maxGroup: number;
  private queue: Job[] = [];
  private scheduled = false;

  constructor(db: SqlDatabase, maxGroup = 128) {
    this.db = db;
    this.maxGroup = maxGroup;
  }

  /**
   * Runs `operation` in the next group. It must be synchronous and make its writes through
   * `immediateTransaction` itself (every ledger write does): alone it is its own transaction, in
   * a group its own savepoint.
   */
  run<T>(operation: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run: operation, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // After the I/O callbacks of this turn: every request that got this far joins the group.
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits everything queued now (also called by the store before it closes). */
  flush(): void {
    this.scheduled = false;
    while (this.queue.length > 0) {
      const group = this.queue.splice(0, this.maxGroup);
      this.commit(group);
    }
  }

  private commit(group: readonly Job[]): void {
    if (group.length === 1) {
      const [job] = group as [Job];
      this.alone(job);
      return;
    }
    let results: unknown[];
    try {
      results = immediateTransaction(this.db, () => group.map((job) => job.run()));
    } catch {
      // Nothing of the group was written: each again on its own, so only what fails alone fails.
      for (const job of group) this.alone(job);
      return;
    }
    group.forEach((job, index) => job.resolve(results[index]));
  }

  private alone(job: Job): void {
    let result: unknown;
    try {
      result = job.run();
    } catch (error) {
      job.reject(error);
      return;
    }
    job.resolve(result);
  }
}
