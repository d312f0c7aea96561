/**
 * The embedded store: `node:sqlite` in WAL mode in the data directory. Every method runs one
 * synchronous transaction, so a write is in the WAL before its promise resolves (and before the
 * caller broadcasts anything). `synchronous=NORMAL` survives a killed process; an OS crash may
 * lose the last transactions since the WAL checkpoint, the usual WAL trade-off.
 */
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { existsSync, mkdirSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import path from 'node:path';
import type { Role } from '../../../shared/sync/rooms.ts';
import { LlmLedger } from '../../../shared/llm-ledger/ledger.ts';
import {
  EmailTakenError,
  type AuthStore,
  type DirectoryStore,
  type InviteRecord,
  type LoginRecord,
  type RefreshTokenRow,
  type TenantRecord,
  type UserRecord,
} from './directory-types.ts';
import type { CheckpointerMessage, CheckpointerOptions } from './sqlite-checkpointer.ts';
import { GroupCommit } from './sqlite-group-commit.ts';
import { migrate, SQLITE_MIGRATIONS } from './sqlite-migrations.ts';
import {
  AlreadyDecidedError,
  DeadlineGoneError,
  FencedError,
  type DeadlineRow,
  type QueueFence,
  type RoomDelta,
  type DecisionCommit,
  type DecisionRow,
  type LedgerRow,
  type LlmLedgerStore,
  type PendingIntent,
  type PendingIntentInput,
  type RoomAppend,
  type Store,
  type StoredRoom,
  StoreError,
  type BlobStore,
} from './types.ts';
import { BLOB_COLUMNS, rowMappers, type Row } from './row-mappers.ts';

const fromRow = rowMappers('user');

/** The WAL file is started over past this size (see sqlite-checkpointer.ts). */
const DEFAULT_WAL_LIMIT_BYTES = 64 * 2 ** 20;
/** How often the checkpointer looks at the WAL's size: at ~100 MiB/s of writes, 100 ms is 10 MiB over. */
const WAL_CHECK_EVERY_MS = 100;
/** The longest group-committed writes wait for the checkpointer's last pass (it takes ~10–50 ms). */
const WAL_HOLD_MAX_MS = 250;

function bytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  throw new Error('expected a blob');
}

export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  readonly db: DatabaseSync;
  private readonly statements = new Map<string, StatementSync>();
  private closed = false;
  private closing = false;

  private checkpointer: Worker | null = null;
  private readonly appendQueue: Array<{
    readonly append: RoomAppend;
    readonly intents: readonly PendingIntentInput[];
    resolve(result: { seq: number; queued: number }): void;
    reject(error: unknown): void;
  }> = [];
  private appendFlush: ReturnType<typeof setImmediate> | null = null;
  /** The synchronous LLM ledger on this connection (benchmarks and tests use it directly). */
  readonly llmLedger: LlmLedger;

  static open(dataDir: string, fileName = 'plaza.db', options: { checkpointEveryMs?: number; walLimitBytes?: number } = {}): SqliteStore {
    mkdirSync(dataDir, { recursive: true });
    const file = path.join(dataDir, fileName);
    const store = new SqliteStore(new DatabaseSync(file));
    if (options.checkpointEveryMs !== undefined) store.startCheckpointer(file, options.checkpointEveryMs, options.walLimitBytes ?? DEFAULT_WAL_LIMIT_BYTES);
    return store;
  }

  /** WAL restarts (complete: the WAL started over), and the longest writes were held back for one (benchmarks, tests). */
  readonly walRestarts = { complete: 0, incomplete: 0, maxHeldMs: 0 };
  /** Resolves once the checkpointer thread runs (tests that need it; the store works before). */
  checkpointerReady: Promise<void> = Promise.resolve();
  /** Set while the checkpointer copies the WAL's last frames back: group-committed writes wait. */
  private writesHeld: { readonly released: Promise<void>; readonly since: number; release(): void } | null = null;

  /** Moves WAL checkpoints (and their fsync) off the main thread; keeps the WAL near `walLimitBytes`. */
  private startCheckpointer(file: string, everyMs: number, walLimitBytes: number): void {
    this.db.exec('PRAGMA wal_autocheckpoint = 0');
    // When the WAL starts over (see sqlite-checkpointer.ts), this connection trims the file.
    this.db.exec(`PRAGMA journal_size_limit = ${Math.max(0, Math.floor(walLimitBytes))}`);
    const script = new URL(import.meta.url.endsWith('.ts') ? './sqlite-checkpointer.ts' : './sqlite-checkpointer.js', import.meta.url);
    const options: CheckpointerOptions = { file, everyMs, walLimitBytes, checkEveryMs: WAL_CHECK_EVERY_MS };
    const worker = new Worker(script, { workerData: options });
    this.checkpointer = worker;
    worker.unref();
    let ready = () => undefined as void;
    this.checkpointerReady = new Promise<void>((resolve) => (ready = resolve));
    worker.on('message', (message: CheckpointerMessage) => {
      if (message.type === 'ready') ready();
      else if (message.type === 'drain') {
        if (this.closed) return;
        this.holdWrites();
        worker.postMessage('held');
      } else if (message.type === 'drained') {
        if (message.complete) this.walRestarts.complete += 1;
        else this.walRestarts.incomplete += 1;
        this.releaseWrites();
      }
    });
    worker.on('error', () => {
      ready();
      this.releaseWrites();
      // Without the worker, fall back to SQLite's own checkpoints on this connection.
      this.db.exec('PRAGMA wal_autocheckpoint = 1000');
    });
  }

  private holdWrites(): void {
    if (this.writesHeld) return;
    let release = () => undefined as void;
    const released = new Promise<void>((resolve) => (release = resolve));
    // A worker that does not answer must not stop the store.
    const timeout = setTimeout(() => this.releaseWrites(), WAL_HOLD_MAX_MS);
    timeout.unref();
    this.writesHeld = {
      released,
      since: performance.now(),
      release: () => {
        clearTimeout(timeout);
        release();
      },
    };
  }

  private releaseWrites(): void {
    const held = this.writesHeld;
    if (!held) return;
    this.writesHeld = null;
    this.walRestarts.maxHeldMs = Math.max(this.walRestarts.maxHeldMs, performance.now() - held.since);
    held.release();
    if (this.appendQueue.length > 0) this.appendFlush ??= setImmediate(() => this.flushAppends());
  }

  constructor(db: DatabaseSync) {
    this.db = db;
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = NORMAL');
    db.exec('PRAGMA busy_timeout = 5000');
    db.exec('PRAGMA foreign_keys = ON');
    migrate(db, SQLITE_MIGRATIONS);
    this.llmLedger = new LlmLedger(db);
    this.llmCommits = new GroupCommit(db);
  }

  private statement(sql: string): StatementSync {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** Runs `fn` in one IMMEDIATE transaction (write lock taken up front). */
  transaction<T>(fn: () => T): T {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = fn();
      this.db.exec('COMMIT');
      return result;
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
  }

  /**
   * Group commit: the appends that arrive in one turn of the event loop (many connections' updates)
   * share one transaction, and each promise resolves only after that transaction committed.
   */
  private flushAppends(): void {
    this.appendFlush = null;
    // Flushed when the checkpointer is done (releaseWrites), or at close.
    if (this.writesHeld && !this.closing) return;
    const queue = this.appendQueue.splice(0);
    if (queue.length === 0) return;
    if (queue.length > 1) {
      let results: Array<{ seq: number; queued: number }> | null = null;
      try {
        results = this.transaction(() => queue.map((item) => this.appendSync(item.append, item.intents)));
      } catch {
        // One bad append must not fail the others: fall back to one transaction each (below).
      }
      if (results !== null) {
        for (const [index, item] of queue.entries()) item.resolve(results[index]!);
        return;
      }
    }
    for (const item of queue) {
      try {
        item.resolve(this.transaction(() => this.appendSync(item.append, item.intents)));
      } catch (error) {
        item.reject(error);
      }
    }
  }

  /** A client's update and the intents it carries (inside a transaction). */
  private appendSync(append: RoomAppend, intents: readonly PendingIntentInput[]): { seq: number; queued: number } {
    const seq = this.insertUpdate(append, Date.now());
    let queued = 0;
    for (const intent of intents) {
      const result = this.statement(
        `INSERT INTO pending_intents(tenant, user, intent_id, kind, referee, envelope, problem, received_at)
         SELECT ?, ?, ?, ?, ?, ?, ?, ?
         WHERE NOT EXISTS (SELECT 1 FROM decisions WHERE tenant = ? AND user = ? AND intent_id = ?)
         ON CONFLICT(tenant, user, intent_id) DO NOTHING`,
      ).run(intent.tenant, intent.user, intent.intentId, intent.kind, intent.referee, intent.envelope, intent.problem, intent.receivedAt, intent.tenant, intent.user, intent.intentId);
      queued += Number(result.changes);
    }
    return { seq, queued };
  }

  private nextSeq(room: string): number {
    const row = this.statement('INSERT INTO room_heads(room, seq) VALUES (?, 1) ON CONFLICT(room) DO UPDATE SET seq = seq + 1 RETURNING seq').get(room) as Row;
    return Number(row.seq);
  }

  private insertUpdate(append: RoomAppend, at: number): number {
    const seq = this.nextSeq(append.room);
    this.statement('INSERT INTO room_updates(room, seq, data, origin, created_at) VALUES (?, ?, ?, ?, ?)').run(append.room, seq, append.data, JSON.stringify(append.origin), at);
    return seq;
  }

  readonly rooms = {
    // One queue, flushed in order in one transaction (flushAppends).
    appendsInCallOrder: true,
    load: async (room: string): Promise<StoredRoom> => {
      const snapshot = this.statement('SELECT seq, data FROM room_snapshots WHERE room = ?').get(room) as Row | undefined;
      const snapshotSeq = snapshot ? Number(snapshot.seq) : 0;
      const updates = (this.statement('SELECT seq, data FROM room_updates WHERE room = ? AND seq > ? ORDER BY seq').all(room, snapshotSeq) as Row[]).map((row) => ({
        seq: Number(row.seq),
        data: bytes(row.data),
      }));
      return { snapshot: snapshot ? bytes(snapshot.data) : null, snapshotSeq, updates };
    },
    appendUpdate: (append: RoomAppend, intents: readonly PendingIntentInput[] = []): Promise<{ seq: number; queued: number }> => {
      if (this.closed) return Promise.reject(new StoreError('the store is closed'));
      return new Promise((resolve, reject) => {
        this.appendQueue.push({ append, intents, resolve, reject });
        this.appendFlush ??= setImmediate(() => this.flushAppends());
      });
    },
    compact: async (room: string, snapshot: Uint8Array, uptoSeq: number): Promise<void> => {
      this.transaction(() => {
        this.statement(
          'INSERT INTO room_snapshots(room, seq, data, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT(room) DO UPDATE SET seq = excluded.seq, data = excluded.data, updated_at = excluded.updated_at WHERE excluded.seq >= room_snapshots.seq',
        ).run(room, uptoSeq, snapshot, Date.now());
        this.statement('DELETE FROM room_updates WHERE room = ? AND seq <= ?').run(room, uptoSeq);
      });
    },
    updateCount: async (room: string): Promise<number> => {
      const row = this.statement('SELECT COUNT(*) AS n FROM room_updates WHERE room = ?').get(room) as Row;
      return Number(row.n);
    },
    listRooms: async (prefix = ''): Promise<string[]> => {
      const rows = this.statement('SELECT room FROM room_heads WHERE room >= ? AND room < ? ORDER BY room').all(prefix, `${prefix}\uffff`) as Row[];
      return rows.map((row) => String(row.room));
    },
    since: async (room: string, afterSeq: number): Promise<RoomDelta> => {
      const snapshot = this.statement('SELECT seq, data FROM room_snapshots WHERE room = ?').get(room) as Row | undefined;
      const snapshotSeq = snapshot ? Number(snapshot.seq) : 0;
      const from = Math.max(afterSeq, snapshotSeq);
      const updates = (this.statement('SELECT seq, data FROM room_updates WHERE room = ? AND seq > ? ORDER BY seq').all(room, from) as Row[]).map((row) => ({ seq: Number(row.seq), data: bytes(row.data) }));
      return { snapshot: snapshot && snapshotSeq > afterSeq ? bytes(snapshot.data) : null, snapshotSeq, updates };
    },
    heads: async (rooms: readonly string[]): Promise<Map<string, number>> => {
      const heads = new Map<string, number>();
      for (const room of rooms) {
        const row = this.statement('SELECT seq FROM room_heads WHERE room = ?').get(room) as Row | undefined;
        heads.set(room, row ? Number(row.seq) : 0);
      }
      return heads;
    },
  };

  readonly intents = {
    pending: async (tenant: string, referee: string, limit: number): Promise<PendingIntent[]> => {
      const rows = this.statement('SELECT * FROM pending_intents WHERE tenant = ? AND referee = ? ORDER BY arrival LIMIT ?').all(tenant, referee, limit) as Row[];
      return rows.map((row) => ({
        arrival: Number(row.arrival),
        tenant: String(row.tenant),
        user: String(row.user),
        intentId: String(row.intent_id),
        kind: String(row.kind),
        referee: String(row.referee),
        envelope: row.envelope === null ? null : String(row.envelope),
        problem: row.problem === null ? null : String(row.problem),
        receivedAt: Number(row.received_at),
      }));
    },
    pendingQueues: async (): Promise<Array<{ tenant: string; referee: string }>> => {
      const rows = this.statement('SELECT DISTINCT tenant, referee FROM pending_intents').all() as Row[];
      return rows.map((row) => ({ tenant: String(row.tenant), referee: String(row.referee) }));
    },
    decision: async (tenant: string, user: string, intentId: string): Promise<DecisionRow | null> => {
      const row = this.statement('SELECT * FROM decisions WHERE tenant = ? AND user = ? AND intent_id = ?').get(tenant, user, intentId) as Row | undefined;
      return row ? fromRow.decision(row) : null;
    },
    commit: async (batch: DecisionCommit): Promise<{ seqs: ReadonlyMap<string, number> }> => {
      while (this.writesHeld) await this.writesHeld.released;
      return this.commitSync(batch);
    },
    countPending: async (): Promise<number> => Number((this.statement('SELECT COUNT(*) AS n FROM pending_intents').get() as Row).n),
    decisionsOf: async (user: string): Promise<DecisionRow[]> =>
      (this.statement('SELECT * FROM decisions WHERE user = ? ORDER BY decided_at, tenant, intent_id').all(user) as Row[]).map(fromRow.decision),
    claimFence: async (fence: QueueFence, now: number): Promise<boolean> => this.transaction(() => this.claimFenceSync(fence, now)),
  };

  private claimFenceSync(fence: QueueFence, now: number): boolean {
    const row = this.statement(
      'INSERT INTO queue_fences(queue, epoch, holder, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT(queue) DO UPDATE SET epoch = excluded.epoch, holder = excluded.holder, updated_at = excluded.updated_at WHERE excluded.epoch >= queue_fences.epoch RETURNING epoch',
    ).get(fence.queue, fence.epoch, fence.holder, now) as Row | undefined;
    return row !== undefined;
  }

  /** The synchronous core of a decision commit, exposed for referees' benchmarks and tests. */
  commitSync(batch: DecisionCommit): { seqs: ReadonlyMap<string, number> } {
    return this.transaction(() => {
      const now = Date.now();
      if (batch.fence && !this.claimFenceSync(batch.fence, now)) throw new FencedError(`queue ${batch.fence.queue} has a newer lease holder`);
      for (const fired of batch.fired ?? []) {
        const gone = Number(this.statement('DELETE FROM deadlines WHERE id = ? AND fire_at = ?').run(fired.id, fired.fireAt).changes) !== 1;
        if (gone) throw new DeadlineGoneError(`deadline ${fired.id} was cleared, moved or fired already`);
      }
      for (const decision of batch.decisions) {
        try {
          this.statement('INSERT INTO decisions(tenant, user, intent_id, kind, status, decision, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
            decision.tenant,
            decision.user,
            decision.intentId,
            decision.kind,
            decision.status,
            decision.decision,
            decision.decidedAt,
          );
        } catch (error) {
          if (String((error as Error).message).includes('UNIQUE')) throw new AlreadyDecidedError(`intent ${decision.intentId} was already decided`);
          throw error;
        }
      }
      const seqs = new Map<string, number>();
      for (const update of batch.updates) seqs.set(update.room, this.insertUpdate(update, now));
      for (const arrival of batch.consumed) this.statement('DELETE FROM pending_intents WHERE arrival = ?').run(arrival);
      for (const id of batch.deadlinesCleared) this.statement('DELETE FROM deadlines WHERE id = ?').run(id);
      for (const deadline of batch.deadlinesSet) {
        this.statement('INSERT INTO deadlines(id, tenant, referee, kind, fire_at, payload) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET fire_at = excluded.fire_at, payload = excluded.payload, kind = excluded.kind').run(
          deadline.id,
          deadline.tenant,
          deadline.referee,
          deadline.kind,
          deadline.fireAt,
          deadline.payload,
        );
      }
      for (const row of batch.ledger) {
        this.statement('INSERT INTO ledger(tenant, account, kind, amount, ref, at) VALUES (?, ?, ?, ?, ?, ?)').run(row.tenant, row.account, row.kind, row.amount, row.ref, row.at);
      }
      return { seqs };
    });
  }

  readonly deadlines = {
    all: async (): Promise<DeadlineRow[]> => (this.statement('SELECT * FROM deadlines ORDER BY fire_at').all() as Row[]).map(fromRow.deadline),
    next: async (): Promise<DeadlineRow | null> => {
      const row = this.statement('SELECT * FROM deadlines ORDER BY fire_at LIMIT 1').get() as Row | undefined;
      return row ? fromRow.deadline(row) : null;
    },
    of: async (tenant: string, referee: string): Promise<DeadlineRow[]> =>
      (this.statement('SELECT * FROM deadlines WHERE tenant = ? AND referee = ? ORDER BY fire_at').all(tenant, referee) as Row[]).map(fromRow.deadline),
    queues: async (): Promise<Array<{ tenant: string; referee: string }>> =>
      (this.statement('SELECT DISTINCT tenant, referee FROM deadlines').all() as Row[]).map((row) => ({ tenant: String(row.tenant), referee: String(row.referee) })),
  };

  readonly ledger = {
    rows: async (tenant: string, account?: string): Promise<LedgerRow[]> => {
      const rows = (account === undefined
        ? this.statement('SELECT * FROM ledger WHERE tenant = ? ORDER BY id').all(tenant)
        : this.statement('SELECT * FROM ledger WHERE tenant = ? AND account = ? ORDER BY id').all(tenant, account)) as Row[];
      return rows.map((row) => ({ tenant: String(row.tenant), account: String(row.account), kind: String(row.kind), amount: Number(row.amount), ref: String(row.ref), at: Number(row.at) }));
    },
  };

  readonly serverState = {
    get: async (key: string): Promise<string | null> => {
      const row = this.statement('SELECT value FROM server_state WHERE key = ?').get(key) as Row | undefined;
      return row ? String(row.value) : null;
    },
    set: async (key: string, value: string): Promise<void> => {
      this.statement('INSERT INTO server_state(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
    },
  };

  readonly blobs: BlobStore = {
    put: async (blob) => {
      const created = this.statement('INSERT INTO blobs(tenant, hash, mime, size, data, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tenant, hash) DO NOTHING')
        .run(blob.tenant, blob.hash, blob.mime, blob.data.byteLength, blob.data, blob.createdAt).changes > 0;
      const stored = this.statement(`SELECT ${BLOB_COLUMNS} FROM blobs WHERE tenant = ? AND hash = ?`).get(blob.tenant, blob.hash) as Row;
      return { created, blob: fromRow.blob(stored) };
    },
    get: async (tenant, hash) => {
      const row = this.statement(`SELECT ${BLOB_COLUMNS}, data FROM blobs WHERE tenant = ? AND hash = ?`).get(tenant, hash) as Row | undefined;
      return row ? { ...fromRow.blob(row), data: bytes(row.data) } : null;
    },
    list: async (tenant) => (this.statement(`SELECT ${BLOB_COLUMNS} FROM blobs WHERE tenant = ? ORDER BY created_at, hash`).all(tenant) as Row[]).map(fromRow.blob),
  };

  /** Reservations and settlements of one event-loop turn share one commit (see sqlite-group-commit.ts). */
  private readonly llmCommits: GroupCommit;

  /**
   * Each call is one synchronous transaction; its promise resolves after the commit. A
   * reservation is planned at once (token counting, no lock) and admitted in the next group
   * commit, with the settlements of the same turn.
   */
  readonly llm: LlmLedgerStore = {
    reserve: async (input) => {
      const planned = this.llmLedger.plan(input);
      if (!planned) return { kind: 'no-session' };
      return this.llmCommits.run(() => this.llmLedger.admit(planned));
    },
    settle: async (callId, plan, outcome, meta) => this.llmCommits.run(() => this.llmLedger.settle(callId, plan, outcome, meta)),
    recoverOpenCalls: async (now, guards) => this.llmLedger.recoverOpenCalls(now, guards),
    createSession: async (identity, now) => this.llmLedger.createSession(identity, now),
    session: async (identity) => this.llmLedger.session(identity),
    recentSessions: async (tenant, user, limit) => this.llmLedger.recentSessions(tenant, user, limit),
    resumeSession: async (identity, now) => this.llmLedger.resumeSession(identity, now),
    snapshot: async (keys) => this.llmLedger.snapshot(keys),
    openReservations: async () => this.llmLedger.openReservations(),
    call: async (id) => this.llmLedger.call(id),
    scopes: async (prefix) => this.llmLedger.scopes(prefix),
    spend: async (filter) => this.llmLedger.spend(filter),
    alerts: async (filter) => this.llmLedger.alerts(filter),
    killSwitches: async () => this.llmLedger.killSwitches(),
    setKillSwitch: async (record) => this.llmLedger.setKillSwitch(record),
    clearKillSwitch: async (scope, target) => this.llmLedger.clearKillSwitch(scope, target),
    setting: async (key) => this.llmLedger.setting(key),
    setSetting: async (key, value, now) => this.llmLedger.setSetting(key, value, now),
  };

  readonly directory: DirectoryStore = {
    createTenant: async (tenant: TenantRecord) => {
      this.statement('INSERT INTO tenants(id, name, policy, created_at) VALUES (?, ?, ?, ?)').run(tenant.id, tenant.name, JSON.stringify(tenant.policy), tenant.createdAt);
    },
    tenant: async (id: string) => {
      const row = this.statement('SELECT * FROM tenants WHERE id = ?').get(id) as Row | undefined;
      return row ? fromRow.tenant(row) : null;
    },
    listTenants: async () => (this.statement('SELECT * FROM tenants ORDER BY created_at').all() as Row[]).map(fromRow.tenant),
    updateTenantPolicy: async (id, policy) => {
      this.statement('UPDATE tenants SET policy = ? WHERE id = ?').run(JSON.stringify(policy), id);
    },
    createUser: async (user: UserRecord) => {
      this.statement('INSERT INTO users(id, email, display_name, kind, password_hash, created_at, last_seen_at, deleted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
        user.id,
        user.email,
        user.displayName,
        user.kind,
        user.passwordHash,
        user.createdAt,
        user.lastSeenAt,
        user.deletedAt,
      );
    },
    user: async (id: string) => {
      const row = this.statement('SELECT * FROM users WHERE id = ?').get(id) as Row | undefined;
      return row ? fromRow.user(row) : null;
    },
    userByEmail: async (email: string) => {
      const row = this.statement('SELECT * FROM users WHERE email = ? COLLATE NOCASE').get(email) as Row | undefined;
      return row ? fromRow.user(row) : null;
    },
    updateUser: async (id, changes) => {
      const columns: Record<string, string> = { email: 'email', displayName: 'display_name', kind: 'kind', passwordHash: 'password_hash', lastSeenAt: 'last_seen_at', deletedAt: 'deleted_at' };
      const entries = Object.entries(changes).filter(([key]) => key in columns);
      if (entries.length === 0) return;
      const sql = `UPDATE users SET ${entries.map(([key]) => `${columns[key]} = ?`).join(', ')} WHERE id = ?`;
      this.db.prepare(sql).run(...entries.map(([, value]) => (value === undefined ? null : (value as string | number | null))), id);
    },
    setMembership: async (tenant: string, user: string, role: Role | null, at: number) => {
      if (role === null) this.statement('DELETE FROM memberships WHERE tenant = ? AND user = ?').run(tenant, user);
      else this.statement('INSERT INTO memberships(tenant, user, role, created_at) VALUES (?, ?, ?, ?) ON CONFLICT(tenant, user) DO UPDATE SET role = excluded.role').run(tenant, user, role, at);
    },
    membership: async (tenant: string, user: string) => {
      const row = this.statement('SELECT * FROM memberships WHERE tenant = ? AND user = ?').get(tenant, user) as Row | undefined;
      return row ? fromRow.membership(row) : null;
    },
    members: async (tenant: string) => (this.statement('SELECT * FROM memberships WHERE tenant = ? ORDER BY created_at').all(tenant) as Row[]).map(fromRow.membership),
    membershipsOf: async (user: string) => (this.statement('SELECT * FROM memberships WHERE user = ? ORDER BY created_at').all(user) as Row[]).map(fromRow.membership),
  };

  private hasOwnerSync(tenant: string): boolean {
    return this.statement("SELECT 1 FROM memberships WHERE tenant = ? AND role = 'owner' LIMIT 1").get(tenant) !== undefined;
  }

  private upsertMembership(tenant: string, user: string, role: Role, at: number): void {
    this.statement('INSERT INTO memberships(tenant, user, role, created_at) VALUES (?, ?, ?, ?) ON CONFLICT(tenant, user) DO UPDATE SET role = excluded.role').run(tenant, user, role, at);
  }

  private revokeLoginsSync(user: string, filter: { readonly tenant?: string; readonly except?: string }, at: number): string[] {
    const rows = this.statement('SELECT sid, tenant FROM logins WHERE user = ? AND revoked_at IS NULL').all(user) as Row[];
    const sids = rows
      .filter((row) => (filter.tenant === undefined || String(row.tenant) === filter.tenant) && String(row.sid) !== filter.except)
      .map((row) => String(row.sid));
    for (const sid of sids) this.statement('UPDATE logins SET revoked_at = ? WHERE sid = ?').run(at, sid);
    return sids;
  }

  readonly auth: AuthStore = {
    saveAccount: async ({ user, upgrade, tenant, role, claimOwner, at }) =>
      this.transaction(() => {
        try {
          if (upgrade) {
            const result = this.statement('UPDATE users SET email = ?, display_name = ?, kind = ?, password_hash = ?, last_seen_at = ? WHERE id = ? AND deleted_at IS NULL').run(
              user.email,
              user.displayName,
              user.kind,
              user.passwordHash,
              user.lastSeenAt,
              user.id,
            );
            if (Number(result.changes) !== 1) throw new StoreError(`no live user ${user.id} to upgrade`);
          } else {
            this.statement('INSERT INTO users(id, email, display_name, kind, password_hash, created_at, last_seen_at, deleted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
              user.id,
              user.email,
              user.displayName,
              user.kind,
              user.passwordHash,
              user.createdAt,
              user.lastSeenAt,
              user.deletedAt,
            );
          }
        } catch (error) {
          if (/UNIQUE constraint failed: users\.email/.test(String((error as Error).message))) throw new EmailTakenError('an account with this email exists');
          throw error;
        }
        const granted: Role = claimOwner && !this.hasOwnerSync(tenant) ? 'owner' : role;
        this.upsertMembership(tenant, user.id, granted, at);
        return granted;
      }),
    hasOwner: async (tenant) => this.hasOwnerSync(tenant),
    displayNameTaken: async (tenant, displayName) =>
      this.statement('SELECT 1 FROM memberships m JOIN users u ON u.id = m.user WHERE m.tenant = ? AND u.display_name = ? COLLATE NOCASE AND u.deleted_at IS NULL LIMIT 1').get(tenant, displayName) !==
      undefined,
    updateTenant: async (id, changes) => {
      this.transaction(() => {
        if (changes.name !== undefined) this.statement('UPDATE tenants SET name = ? WHERE id = ?').run(changes.name, id);
        if (changes.policy !== undefined) this.statement('UPDATE tenants SET policy = ? WHERE id = ?').run(JSON.stringify(changes.policy), id);
      });
    },
    changeRole: async (tenant, user, role, at) =>
      this.transaction(() => {
        const current = this.statement('SELECT role FROM memberships WHERE tenant = ? AND user = ?').get(tenant, user) as Row | undefined;
        if (!current) return 'not-member' as const;
        if (current.role === 'owner' && role !== 'owner') {
          const owners = Number((this.statement("SELECT COUNT(*) AS n FROM memberships WHERE tenant = ? AND role = 'owner'").get(tenant) as Row).n);
          if (owners <= 1) return 'last-owner' as const;
        }
        if (role === null) this.statement('DELETE FROM memberships WHERE tenant = ? AND user = ?').run(tenant, user);
        else this.upsertMembership(tenant, user, role, at);
        return 'ok' as const;
      }),

    createLogin: async (login: LoginRecord, refresh: RefreshTokenRow) => {
      this.transaction(() => {
        this.statement('INSERT INTO logins(sid, user, tenant, client, user_agent, created_at, last_used_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
          login.sid,
          login.user,
          login.tenant,
          login.client,
          login.userAgent,
          login.createdAt,
          login.lastUsedAt,
          login.revokedAt,
        );
        this.statement('INSERT INTO refresh_tokens(hash, login, issued_at, expires_at, used_at) VALUES (?, ?, ?, ?, NULL)').run(refresh.hash, login.sid, refresh.issuedAt, refresh.expiresAt);
      });
    },
    login: async (sid) => {
      const row = this.statement('SELECT * FROM logins WHERE sid = ?').get(sid) as Row | undefined;
      return row ? fromRow.login(row) : null;
    },
    loginsOf: async (user) => (this.statement('SELECT * FROM logins WHERE user = ? ORDER BY created_at').all(user) as Row[]).map(fromRow.login),
    loginOfRefreshToken: async (hash) => {
      const row = this.statement('SELECT l.* FROM refresh_tokens r JOIN logins l ON l.sid = r.login WHERE r.hash = ?').get(hash) as Row | undefined;
      return row ? fromRow.login(row) : null;
    },
    rotateRefreshToken: async (presented, next, now) =>
      this.transaction(() => {
        const row = this.statement('SELECT r.used_at AS token_used_at, r.expires_at AS token_expires_at, l.* FROM refresh_tokens r JOIN logins l ON l.sid = r.login WHERE r.hash = ?').get(presented) as
          | Row
          | undefined;
        if (!row || row.revoked_at !== null) return { kind: 'invalid' as const };
        const login = fromRow.login(row);
        if (row.token_used_at !== null) {
          this.statement('UPDATE logins SET revoked_at = ? WHERE sid = ?').run(now, login.sid);
          return { kind: 'reused' as const, login: { ...login, revokedAt: now } };
        }
        if (Number(row.token_expires_at) <= now) return { kind: 'invalid' as const };
        this.statement('UPDATE refresh_tokens SET used_at = ? WHERE hash = ?').run(now, presented);
        this.statement('INSERT INTO refresh_tokens(hash, login, issued_at, expires_at, used_at) VALUES (?, ?, ?, ?, NULL)').run(next.hash, login.sid, next.issuedAt, next.expiresAt);
        this.statement('UPDATE logins SET last_used_at = ? WHERE sid = ?').run(now, login.sid);
        return { kind: 'rotated' as const, login: { ...login, lastUsedAt: now } };
      }),
    revokeLogin: async (sid, at) => Number(this.statement('UPDATE logins SET revoked_at = ? WHERE sid = ? AND revoked_at IS NULL').run(at, sid).changes) === 1,
    revokeLogins: async (user, filter, at) => this.transaction(() => this.revokeLoginsSync(user, filter, at)),

    createInvite: async (invite: InviteRecord) => {
      this.statement('INSERT INTO invites(hash, tenant, role, created_by, created_at, expires_at, max_uses, uses) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
        invite.hash,
        invite.tenant,
        invite.role,
        invite.createdBy,
        invite.createdAt,
        invite.expiresAt,
        invite.maxUses,
        invite.uses,
      );
    },
    useInvite: async (hash, now) =>
      this.transaction(() => {
        const row = this.statement('UPDATE invites SET uses = uses + 1 WHERE hash = ? AND expires_at > ? AND uses < max_uses RETURNING *').get(hash, now) as Row | undefined;
        return row ? fromRow.invite(row) : null;
      }),

    createResetToken: async (token) => {
      this.transaction(() => {
        this.statement('DELETE FROM reset_tokens WHERE user = ? AND used_at IS NULL').run(token.user);
        this.statement('INSERT INTO reset_tokens(hash, user, created_by, created_at, expires_at, used_at) VALUES (?, ?, ?, ?, ?, NULL)').run(
          token.hash,
          token.user,
          token.createdBy,
          token.createdAt,
          token.expiresAt,
        );
      });
    },
    consumeResetToken: async (hash, now) =>
      this.transaction(() => {
        const row = this.statement('UPDATE reset_tokens SET used_at = ? WHERE hash = ? AND used_at IS NULL AND expires_at > ? RETURNING user').get(now, hash, now) as Row | undefined;
        return row ? String(row.user) : null;
      }),

    deleteUser: async (id, at) =>
      this.transaction(() => {
        const memberships = (this.statement('SELECT * FROM memberships WHERE user = ?').all(id) as Row[]).map(fromRow.membership);
        this.statement('DELETE FROM memberships WHERE user = ?').run(id);
        const sessions = this.revokeLoginsSync(id, {}, at);
        this.statement('DELETE FROM reset_tokens WHERE user = ?').run(id);
        this.statement("UPDATE users SET email = NULL, display_name = 'Deleted user', password_hash = NULL, deleted_at = ? WHERE id = ?").run(at, id);
        return { memberships, sessions };
      }),
    idleGuests: async (before, limit) =>
      (this.statement("SELECT id FROM users WHERE kind = 'guest' AND deleted_at IS NULL AND last_seen_at < ? ORDER BY last_seen_at LIMIT ?").all(before, limit) as Row[]).map((row) => String(row.id)),
    purgeExpired: async (now, revokedBefore) =>
      this.transaction(() => {
        let removed = 0;
        removed += Number(this.statement('DELETE FROM refresh_tokens WHERE expires_at <= ?').run(now).changes);
        removed += Number(this.statement('DELETE FROM invites WHERE expires_at <= ? OR uses >= max_uses').run(now).changes);
        removed += Number(this.statement('DELETE FROM reset_tokens WHERE expires_at <= ? OR used_at IS NOT NULL').run(now).changes);
        removed += Number(
          this.statement(
            'DELETE FROM logins WHERE (revoked_at IS NOT NULL AND revoked_at < ?) OR (last_used_at < ? AND NOT EXISTS (SELECT 1 FROM refresh_tokens r WHERE r.login = logins.sid))',
          ).run(revokedBefore, revokedBefore).changes,
        );
        return removed;
      }),
  };

  async ping(): Promise<void> {
    this.statement('SELECT 1').get();
  }

  /** A consistent copy while the server runs: `VACUUM INTO` reads one snapshot of the database. */
  async backup(file: string): Promise<void> {
    if (existsSync(file)) throw new StoreError(`${file} exists; choose a new file for the backup`);
    mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    this.db.prepare('VACUUM INTO ?').run(path.resolve(file));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Appends already accepted are written before the connection goes.
    this.closing = true;
    if (this.appendFlush) clearImmediate(this.appendFlush);
    this.flushAppends();
    this.releaseWrites();
    this.closed = true;
    this.llmCommits.flush();
    if (this.checkpointer) {
      const worker = this.checkpointer;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 2000);
        const stopped = (message: CheckpointerMessage) => {
          if (message.type !== 'stopped') return;
          worker.off('message', stopped);
          clearTimeout(timer);
          resolve();
        };
        worker.on('message', stopped);
        worker.postMessage('stop');
      });
      await worker.terminate();
    }
    this.statements.clear();
    try {
      this.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    } catch {
      // a checkpoint is an optimisation; the WAL is replayed on the next open anyway
    }
    this.db.close();
  }
}
