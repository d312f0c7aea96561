/**
 * The networked store: PostgreSQL through a `pg` Pool, shared by every server process. Each
 * method is one statement or one transaction; every check-and-change is a transaction with the
 * rows it depends on locked (`FOR UPDATE`, conditional `UPDATE … WHERE`, or `ON CONFLICT`).
 *
 * Room sequence numbers are assigned in the database: `room_heads` is bumped with
 * `INSERT … ON CONFLICT DO UPDATE … RETURNING seq`, which row-locks the room's head until the
 * transaction commits, so per room, sequence order is commit order whichever process appends.
 * A decision commit touches its rooms' heads in name order (no deadlock between two decisions).
 */
import pg from 'pg';
import type { Role } from '../../../../shared/sync/rooms.ts';
import { AsyncLlmLedger, type AsyncSqlClient, type AsyncSqlDatabase, type AsyncSqlValue } from '../../../../shared/llm-ledger/async-ledger.ts';
import {
  EmailTakenError,
  type AuthStore,
  type DirectoryStore,
  type InviteRecord,
  type TenantRecord,
  type UserRecord,
} from '../directory-types.ts';
import {
  AlreadyDecidedError,
  DeadlineGoneError,
  FencedError,
  StoreError,
  type DeadlineRow,
  type DecisionCommit,
  type DecisionRow,
  type LedgerRow,
  type LlmLedgerStore,
  type PendingIntent,
  type PendingIntentInput,
  type QueueFence,
  type RoomAppend,
  type RoomDelta,
  type Store,
  type StoredRoom,
  type BlobStore,
} from '../types.ts';
import { BLOB_COLUMNS, rowMappers, type Row } from '../row-mappers.ts';
import { migratePostgres } from './migrations.ts';

const fromRow = rowMappers('user_id');

/** int8 (BIGINT, COUNT) as a JS number: every value Plaza stores is far below 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: string) => {
    if (oid === 20) return (value: string) => Number(value);
    return (pg.types.getTypeParser as (oid: number, format?: string) => unknown)(oid, format);
  }) as typeof pg.types.getTypeParser,
};

const UNIQUE_VIOLATION = '23505';

/**
 * Group commit of plain appends (no intents): the appends waiting in one tick, one per room, go
 * in one statement, which is one transaction: every room's head is bumped (rows locked in room
 * order, so two batches from two processes cannot deadlock) and its update inserted under it.
 */
const APPEND_BATCH = `WITH input AS (
    SELECT * FROM unnest($1::text[], $2::bytea[], $3::text[], $4::bigint[]) AS t(room, data, origin, at) ORDER BY room),
  heads AS (
    INSERT INTO room_heads(room, seq) SELECT room, 1 FROM input ORDER BY room
    ON CONFLICT (room) DO UPDATE SET seq = room_heads.seq + 1 RETURNING room, seq)
  INSERT INTO room_updates(room, seq, data, origin, created_at)
  SELECT input.room, heads.seq, input.data, input.origin, input.at FROM input JOIN heads ON heads.room = input.room
  RETURNING room, seq`;

const MAX_BATCH = 256;

interface PendingAppend {
  readonly append: RoomAppend;
  readonly at: number;
  resolve(seq: number): void;
  reject(error: unknown): void;
}

function pgCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
}

function bytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  throw new StoreError('expected bytea');
}

export interface PostgresStoreOptions {
  readonly url: string;
  /** Connections in the pool of this process. */
  readonly poolSize?: number;
  /** This process: the owner recorded on the LLM calls it admits. */
  readonly processId: string;
  /** Skip migrations (a test that checks an older schema applies them itself). */
  readonly migrate?: boolean;
}

class PoolDatabase implements AsyncSqlDatabase {
  private readonly pool: pg.Pool;
  constructor(pool: pg.Pool) {
    this.pool = pool;
  }
  async query(sql: string, params: readonly AsyncSqlValue[] = []) {
    const result = await this.pool.query(sql, params as unknown[]);
    return { rows: result.rows as Row[], rowCount: result.rowCount };
  }
  async transaction<T>(fn: (client: AsyncSqlClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const wrapped: AsyncSqlClient = {
        query: async (sql, params = []) => {
          const result = await client.query(sql, params as unknown[]);
          return { rows: result.rows as Row[], rowCount: result.rowCount };
        },
      };
      const value = await fn(wrapped);
      await client.query('COMMIT');
      return value;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}

export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  readonly pool: pg.Pool;
  readonly processId: string;
  private readonly db: PoolDatabase;
  readonly llmLedger: AsyncLlmLedger;
  private closed = false;

  private constructor(pool: pg.Pool, processId: string) {
    this.pool = pool;
    this.processId = processId;
    this.db = new PoolDatabase(pool);
    this.llmLedger = new AsyncLlmLedger(this.db, { owner: processId });
  }

  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10, types, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 10_000 });
    // An idle client that loses its server (a restart) must not crash the process.
    pool.on('error', () => undefined);
    const store = new PostgresStore(pool, options.processId);
    try {
      if (options.migrate !== false) await migratePostgres(pool);
    } catch (error) {
      await pool.end();
      throw error;
    }
    return store;
  }

  private readonly waiting: PendingAppend[] = [];
  private flushScheduled = false;

  private enqueueAppend(append: RoomAppend): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.waiting.push({ append, at: Date.now(), resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flushAppends());
      }
    });
  }

  /** Sends what waits, in batches of distinct rooms (a room's second append goes in the next batch). */
  private flushAppends(): void {
    this.flushScheduled = false;
    while (this.waiting.length > 0) {
      const batch: PendingAppend[] = [];
      const rooms = new Set<string>();
      const later: PendingAppend[] = [];
      for (const item of this.waiting.splice(0)) {
        if (batch.length < MAX_BATCH && !rooms.has(item.append.room)) {
          rooms.add(item.append.room);
          batch.push(item);
        } else later.push(item);
      }
      this.waiting.push(...later);
      void this.runBatch(batch);
      if (later.length > 0 && batch.length === 0) break;
    }
  }

  private async runBatch(batch: readonly PendingAppend[]): Promise<void> {
    try {
      const result = await this.pool.query({
        name: 'plaza-append-batch',
        text: APPEND_BATCH,
        values: [batch.map((item) => item.append.room), batch.map((item) => Buffer.from(item.append.data.buffer, item.append.data.byteOffset, item.append.data.byteLength)), batch.map((item) => JSON.stringify(item.append.origin)), batch.map((item) => item.at)],
      });
      const seqs = new Map((result.rows as Row[]).map((row) => [String(row.room), Number(row.seq)]));
      for (const item of batch) {
        const seq = seqs.get(item.append.room);
        if (seq === undefined) item.reject(new StoreError(`no sequence number came back for ${item.append.room}`));
        else item.resolve(seq);
      }
    } catch (error) {
      for (const item of batch) item.reject(error);
    }
  }

  private async query(sql: string, params: readonly AsyncSqlValue[] = []): Promise<Row[]> {
    return (await this.db.query(sql, params)).rows as Row[];
  }

  private transaction<T>(fn: (client: AsyncSqlClient) => Promise<T>): Promise<T> {
    return this.db.transaction(fn);
  }

  private static async insertUpdate(client: AsyncSqlClient, append: RoomAppend, at: number): Promise<number> {
    const { rows } = await client.query('INSERT INTO room_heads(room, seq) VALUES ($1, 1) ON CONFLICT (room) DO UPDATE SET seq = room_heads.seq + 1 RETURNING seq', [append.room]);
    const seq = Number(rows[0]?.seq);
    await client.query('INSERT INTO room_updates(room, seq, data, origin, created_at) VALUES ($1, $2, $3, $4, $5)', [append.room, seq, append.data, JSON.stringify(append.origin), at]);
    return seq;
  }

  readonly rooms = {
    load: async (room: string): Promise<StoredRoom> => {
      // One snapshot of the database for both reads (a compaction between them would lose updates).
      return this.transaction(async (client) => {
        await client.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
        const { rows: snap } = await client.query('SELECT seq, data FROM room_snapshots WHERE room = $1', [room]);
        const snapshotSeq = snap[0] ? Number(snap[0].seq) : 0;
        const { rows } = await client.query('SELECT seq, data FROM room_updates WHERE room = $1 AND seq > $2 ORDER BY seq', [room, snapshotSeq]);
        return { snapshot: snap[0] ? bytes(snap[0].data) : null, snapshotSeq, updates: rows.map((row) => ({ seq: Number(row.seq), data: bytes(row.data) })) };
      });
    },
    appendUpdate: async (append: RoomAppend, intents: readonly PendingIntentInput[] = []): Promise<{ seq: number; queued: number }> => {
      if (intents.length === 0) return { seq: await this.enqueueAppend(append), queued: 0 };
      return this.transaction(async (client) => {
        const seq = await PostgresStore.insertUpdate(client, append, Date.now());
        let queued = 0;
        for (const intent of intents) {
          const result = await client.query(
            `INSERT INTO pending_intents(tenant, user_id, intent_id, kind, referee, envelope, problem, received_at)
             SELECT $1, $2, $3, $4, $5, $6, $7, $8
             WHERE NOT EXISTS (SELECT 1 FROM decisions WHERE tenant = $1 AND user_id = $2 AND intent_id = $3)
             ON CONFLICT (tenant, user_id, intent_id) DO NOTHING`,
            [intent.tenant, intent.user, intent.intentId, intent.kind, intent.referee, intent.envelope, intent.problem, intent.receivedAt],
          );
          queued += result.rowCount ?? 0;
        }
        return { seq, queued };
      });
    },
    compact: async (room: string, snapshot: Uint8Array, uptoSeq: number): Promise<void> => {
      await this.transaction(async (client) => {
        const { rowCount } = await client.query(
          `INSERT INTO room_snapshots(room, seq, data, updated_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (room) DO UPDATE SET seq = excluded.seq, data = excluded.data, updated_at = excluded.updated_at WHERE excluded.seq >= room_snapshots.seq`,
          [room, uptoSeq, snapshot, Date.now()],
        );
        if (rowCount === 1) await client.query('DELETE FROM room_updates WHERE room = $1 AND seq <= $2', [room, uptoSeq]);
      });
    },
    updateCount: async (room: string): Promise<number> => Number((await this.query('SELECT COUNT(*) AS n FROM room_updates WHERE room = $1', [room]))[0]?.n ?? 0),
    listRooms: async (prefix = ''): Promise<string[]> =>
      (await this.query('SELECT room FROM room_heads WHERE starts_with(room, $1) ORDER BY room COLLATE "C"', [prefix])).map((row) => String(row.room)),
    since: async (room: string, afterSeq: number): Promise<RoomDelta> =>
      this.transaction(async (client) => {
        await client.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
        const { rows: snap } = await client.query('SELECT seq, CASE WHEN seq > $2 THEN data END AS data FROM room_snapshots WHERE room = $1', [room, afterSeq]);
        const snapshotSeq = snap[0] ? Number(snap[0].seq) : 0;
        const { rows } = await client.query('SELECT seq, data FROM room_updates WHERE room = $1 AND seq > $2 ORDER BY seq', [room, Math.max(afterSeq, snapshotSeq)]);
        return {
          snapshot: snap[0] && snapshotSeq > afterSeq && snap[0].data ? bytes(snap[0].data) : null,
          snapshotSeq,
          updates: rows.map((row) => ({ seq: Number(row.seq), data: bytes(row.data) })),
        };
      }),
    heads: async (rooms: readonly string[]): Promise<Map<string, number>> => {
      const heads = new Map<string, number>(rooms.map((room) => [room, 0]));
      if (rooms.length === 0) return heads;
      for (const row of await this.query('SELECT room, seq FROM room_heads WHERE room = ANY($1::text[])', [[...rooms]])) heads.set(String(row.room), Number(row.seq));
      return heads;
    },
  };

  readonly intents = {
    pending: async (tenant: string, referee: string, limit: number): Promise<PendingIntent[]> =>
      (await this.query('SELECT * FROM pending_intents WHERE tenant = $1 AND referee = $2 ORDER BY arrival LIMIT $3', [tenant, referee, limit])).map((row) => ({
        arrival: Number(row.arrival),
        tenant: String(row.tenant),
        user: String(row.user_id),
        intentId: String(row.intent_id),
        kind: String(row.kind),
        referee: String(row.referee),
        envelope: row.envelope === null ? null : String(row.envelope),
        problem: row.problem === null ? null : String(row.problem),
        receivedAt: Number(row.received_at),
      })),
    pendingQueues: async (): Promise<Array<{ tenant: string; referee: string }>> =>
      (await this.query('SELECT DISTINCT tenant, referee FROM pending_intents')).map((row) => ({ tenant: String(row.tenant), referee: String(row.referee) })),
    decision: async (tenant: string, user: string, intentId: string): Promise<DecisionRow | null> => {
      const row = (await this.query('SELECT * FROM decisions WHERE tenant = $1 AND user_id = $2 AND intent_id = $3', [tenant, user, intentId]))[0];
      return row ? fromRow.decision(row) : null;
    },
    commit: (batch: DecisionCommit): Promise<{ seqs: ReadonlyMap<string, number> }> => this.commit(batch),
    countPending: async (): Promise<number> => Number((await this.query('SELECT COUNT(*) AS n FROM pending_intents'))[0]?.n ?? 0),
    decisionsOf: async (user: string): Promise<DecisionRow[]> =>
      (await this.query('SELECT * FROM decisions WHERE user_id = $1 ORDER BY decided_at, tenant, intent_id', [user])).map(fromRow.decision),
    claimFence: (fence: QueueFence, now: number): Promise<boolean> => PostgresStore.claimFence(this.db, fence, now),
  };

  private static async claimFence(client: AsyncSqlClient, fence: QueueFence, now: number): Promise<boolean> {
    const { rows } = await client.query(
      `INSERT INTO queue_fences(queue, epoch, holder, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (queue) DO UPDATE SET epoch = excluded.epoch, holder = excluded.holder, updated_at = excluded.updated_at WHERE excluded.epoch >= queue_fences.epoch
       RETURNING epoch`,
      [fence.queue, fence.epoch, fence.holder, now],
    );
    return rows.length === 1;
  }

  private commit(batch: DecisionCommit): Promise<{ seqs: ReadonlyMap<string, number> }> {
    return this.transaction(async (client) => {
      const now = Date.now();
      // The fence row first: a holder with a newer epoch locks it too, so two holders' commits serialize here.
      if (batch.fence && !(await PostgresStore.claimFence(client, batch.fence, now))) throw new FencedError(`queue ${batch.fence.queue} has a newer lease holder`);
      for (const fired of batch.fired ?? []) {
        const { rowCount } = await client.query('DELETE FROM deadlines WHERE id = $1 AND fire_at = $2', [fired.id, fired.fireAt]);
        if (rowCount !== 1) throw new DeadlineGoneError(`deadline ${fired.id} was cleared, moved or fired already`);
      }
      for (const decision of batch.decisions) {
        try {
          await client.query('SAVEPOINT decision');
          await client.query('INSERT INTO decisions(tenant, user_id, intent_id, kind, status, decision, decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
            decision.tenant,
            decision.user,
            decision.intentId,
            decision.kind,
            decision.status,
            decision.decision,
            decision.decidedAt,
          ]);
          await client.query('RELEASE SAVEPOINT decision');
        } catch (error) {
          if (pgCode(error) === UNIQUE_VIOLATION) throw new AlreadyDecidedError(`intent ${decision.intentId} was already decided`);
          throw error;
        }
      }
      const seqs = new Map<string, number>();
      const updates = [...batch.updates].sort((a, b) => (a.room < b.room ? -1 : a.room > b.room ? 1 : 0));
      for (const update of updates) seqs.set(update.room, await PostgresStore.insertUpdate(client, update, now));
      if (batch.consumed.length > 0) await client.query('DELETE FROM pending_intents WHERE arrival = ANY($1::bigint[])', [batch.consumed.map(String)]);
      if (batch.deadlinesCleared.length > 0) await client.query('DELETE FROM deadlines WHERE id = ANY($1::text[])', [[...batch.deadlinesCleared]]);
      for (const deadline of batch.deadlinesSet) {
        await client.query(
          'INSERT INTO deadlines(id, tenant, referee, kind, fire_at, payload) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO UPDATE SET fire_at = excluded.fire_at, payload = excluded.payload, kind = excluded.kind',
          [deadline.id, deadline.tenant, deadline.referee, deadline.kind, deadline.fireAt, deadline.payload],
        );
      }
      for (const row of batch.ledger) {
        await client.query('INSERT INTO ledger(tenant, account, kind, amount, ref, at) VALUES ($1, $2, $3, $4, $5, $6)', [row.tenant, row.account, row.kind, row.amount, row.ref, row.at]);
      }
      return { seqs };
    });
  }

  readonly deadlines = {
    all: async (): Promise<DeadlineRow[]> => (await this.query('SELECT * FROM deadlines ORDER BY fire_at, id')).map(fromRow.deadline),
    next: async (): Promise<DeadlineRow | null> => {
      const row = (await this.query('SELECT * FROM deadlines ORDER BY fire_at, id LIMIT 1'))[0];
      return row ? fromRow.deadline(row) : null;
    },
    of: async (tenant: string, referee: string): Promise<DeadlineRow[]> =>
      (await this.query('SELECT * FROM deadlines WHERE tenant = $1 AND referee = $2 ORDER BY fire_at, id', [tenant, referee])).map(fromRow.deadline),
    queues: async (): Promise<Array<{ tenant: string; referee: string }>> =>
      (await this.query('SELECT DISTINCT tenant, referee FROM deadlines')).map((row) => ({ tenant: String(row.tenant), referee: String(row.referee) })),
  };

  readonly ledger = {
    rows: async (tenant: string, account?: string): Promise<LedgerRow[]> => {
      const rows =
        account === undefined
          ? await this.query('SELECT * FROM ledger WHERE tenant = $1 ORDER BY id', [tenant])
          : await this.query('SELECT * FROM ledger WHERE tenant = $1 AND account = $2 ORDER BY id', [tenant, account]);
      return rows.map((row) => ({ tenant: String(row.tenant), account: String(row.account), kind: String(row.kind), amount: Number(row.amount), ref: String(row.ref), at: Number(row.at) }));
    },
  };

  readonly serverState = {
    get: async (key: string): Promise<string | null> => {
      const row = (await this.query('SELECT value FROM server_state WHERE key = $1', [key]))[0];
      return row ? String(row.value) : null;
    },
    set: async (key: string, value: string): Promise<void> => {
      await this.query('INSERT INTO server_state(key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value]);
    },
  };

  readonly blobs: BlobStore = {
    put: async (blob) => {
      const [inserted] = await this.query(
        `INSERT INTO blobs(tenant, hash, mime, size, data, created_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tenant, hash) DO NOTHING RETURNING ${BLOB_COLUMNS}`,
        [blob.tenant, blob.hash, blob.mime, blob.data.byteLength, blob.data, blob.createdAt],
      );
      if (inserted) return { created: true, blob: fromRow.blob(inserted) };
      // A second statement, so a fresh snapshot: it sees the row of a concurrent upload that just committed.
      const [stored] = await this.query(`SELECT ${BLOB_COLUMNS} FROM blobs WHERE tenant = $1 AND hash = $2`, [blob.tenant, blob.hash]);
      if (!stored) throw new StoreError(`blob ${blob.hash} was neither stored nor found`);
      return { created: false, blob: fromRow.blob(stored) };
    },
    get: async (tenant, hash) => {
      const [row] = await this.query(`SELECT ${BLOB_COLUMNS}, data FROM blobs WHERE tenant = $1 AND hash = $2`, [tenant, hash]);
      return row ? { ...fromRow.blob(row), data: bytes(row.data) } : null;
    },
    list: async (tenant) => (await this.query(`SELECT ${BLOB_COLUMNS} FROM blobs WHERE tenant = $1 ORDER BY created_at, hash`, [tenant])).map(fromRow.blob),
  };

  readonly llm: LlmLedgerStore = {
    reserve: (input) => this.llmLedger.reserve(input),
    settle: (callId, plan, outcome, meta) => this.llmLedger.settle(callId, plan, outcome, meta),
    recoverOpenCalls: (now, guards, liveOwners) => this.llmLedger.recoverOpenCalls(now, guards, liveOwners ?? [this.processId]),
    createSession: (identity, now) => this.llmLedger.createSession(identity, now),
    session: (identity) => this.llmLedger.session(identity),
    recentSessions: (tenant, user, limit) => this.llmLedger.recentSessions(tenant, user, limit),
    resumeSession: (identity, now) => this.llmLedger.resumeSession(identity, now),
    snapshot: (keys) => this.llmLedger.snapshot(keys),
    openReservations: () => this.llmLedger.openReservations(),
    call: (id) => this.llmLedger.call(id),
    scopes: (prefix) => this.llmLedger.scopes(prefix),
    spend: (filter) => this.llmLedger.spend(filter),
    alerts: (filter) => this.llmLedger.alerts(filter),
    killSwitches: () => this.llmLedger.killSwitches(),
    setKillSwitch: (record) => this.llmLedger.setKillSwitch(record),
    clearKillSwitch: (scope, target) => this.llmLedger.clearKillSwitch(scope, target),
    setting: (key) => this.llmLedger.setting(key),
    setSetting: (key, value, now) => this.llmLedger.setSetting(key, value, now),
  };

  readonly directory: DirectoryStore = {
    createTenant: async (tenant: TenantRecord) => {
      await this.query('INSERT INTO tenants(id, name, policy, created_at) VALUES ($1, $2, $3, $4)', [tenant.id, tenant.name, JSON.stringify(tenant.policy), tenant.createdAt]);
    },
    tenant: async (id: string) => {
      const row = (await this.query('SELECT * FROM tenants WHERE id = $1', [id]))[0];
      return row ? fromRow.tenant(row) : null;
    },
    listTenants: async () => (await this.query('SELECT * FROM tenants ORDER BY created_at, id')).map(fromRow.tenant),
    updateTenantPolicy: async (id, policy) => {
      await this.query('UPDATE tenants SET policy = $1 WHERE id = $2', [JSON.stringify(policy), id]);
    },
    createUser: async (user: UserRecord) => {
      try {
        await PostgresStore.insertUser(this.db, user);
      } catch (error) {
        if (pgCode(error) === UNIQUE_VIOLATION) throw new EmailTakenError('an account with this email exists');
        throw error;
      }
    },
    user: async (id: string) => {
      const row = (await this.query('SELECT * FROM users WHERE id = $1', [id]))[0];
      return row ? fromRow.user(row) : null;
    },
    userByEmail: async (email: string) => {
      const row = (await this.query('SELECT * FROM users WHERE lower(email) = lower($1)', [email]))[0];
      return row ? fromRow.user(row) : null;
    },
    updateUser: async (id, changes) => {
      const columns: Record<string, string> = { email: 'email', displayName: 'display_name', kind: 'kind', passwordHash: 'password_hash', lastSeenAt: 'last_seen_at', deletedAt: 'deleted_at' };
      const entries = Object.entries(changes).filter(([key]) => key in columns);
      if (entries.length === 0) return;
      const sql = `UPDATE users SET ${entries.map(([key], index) => `${columns[key]} = $${index + 1}`).join(', ')} WHERE id = $${entries.length + 1}`;
      await this.query(sql, [...entries.map(([, value]) => (value === undefined ? null : (value as string | number | null))), id]);
    },
    setMembership: async (tenant: string, user: string, role: Role | null, at: number) => {
      if (role === null) await this.query('DELETE FROM memberships WHERE tenant = $1 AND user_id = $2', [tenant, user]);
      else await PostgresStore.upsertMembership(this.db, tenant, user, role, at);
    },
    membership: async (tenant: string, user: string) => {
      const row = (await this.query('SELECT * FROM memberships WHERE tenant = $1 AND user_id = $2', [tenant, user]))[0];
      return row ? fromRow.membership(row) : null;
    },
    members: async (tenant: string) => (await this.query('SELECT * FROM memberships WHERE tenant = $1 ORDER BY created_at, user_id', [tenant])).map(fromRow.membership),
    membershipsOf: async (user: string) => (await this.query('SELECT * FROM memberships WHERE user_id = $1 ORDER BY created_at, tenant', [user])).map(fromRow.membership),
  };

  private static async insertUser(client: AsyncSqlClient, user: UserRecord): Promise<void> {
    await client.query('INSERT INTO users(id, email, display_name, kind, password_hash, created_at, last_seen_at, deleted_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
      user.id,
      user.email,
      user.displayName,
      user.kind,
      user.passwordHash,
      user.createdAt,
      user.lastSeenAt,
      user.deletedAt,
    ]);
  }

  private static async upsertMembership(client: AsyncSqlClient, tenant: string, user: string, role: Role, at: number): Promise<void> {
    await client.query('INSERT INTO memberships(tenant, user_id, role, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (tenant, user_id) DO UPDATE SET role = excluded.role', [tenant, user, role, at]);
  }

  private static async revokeLogins(client: AsyncSqlClient, user: string, filter: { readonly tenant?: string; readonly except?: string }, at: number): Promise<string[]> {
    const { rows } = await client.query('SELECT sid, tenant FROM logins WHERE user_id = $1 AND revoked_at IS NULL FOR UPDATE', [user]);
    const sids = rows.filter((row) => (filter.tenant === undefined || String(row.tenant) === filter.tenant) && String(row.sid) !== filter.except).map((row) => String(row.sid));
    if (sids.length > 0) await client.query('UPDATE logins SET revoked_at = $1 WHERE sid = ANY($2::text[])', [at, sids]);
    return sids;
  }

  readonly auth: AuthStore = {
    saveAccount: ({ user, upgrade, tenant, role, claimOwner, at }) =>
      this.transaction(async (client) => {
        try {
          await client.query('SAVEPOINT account');
          if (upgrade) {
            const result = await client.query('UPDATE users SET email = $1, display_name = $2, kind = $3, password_hash = $4, last_seen_at = $5 WHERE id = $6 AND deleted_at IS NULL', [
              user.email,
              user.displayName,
              user.kind,
              user.passwordHash,
              user.lastSeenAt,
              user.id,
            ]);
            if (result.rowCount !== 1) throw new StoreError(`no live user ${user.id} to upgrade`);
          } else {
            await PostgresStore.insertUser(client, user);
          }
          await client.query('RELEASE SAVEPOINT account');
        } catch (error) {
          if (pgCode(error) === UNIQUE_VIOLATION) throw new EmailTakenError('an account with this email exists');
          throw error;
        }
        let granted: Role = role;
        if (claimOwner) {
          // The tenant row is the lock that makes "first account becomes owner" atomic.
          await client.query('SELECT id FROM tenants WHERE id = $1 FOR UPDATE', [tenant]);
          const { rows } = await client.query("SELECT 1 FROM memberships WHERE tenant = $1 AND role = 'owner' LIMIT 1", [tenant]);
          if (rows.length === 0) granted = 'owner';
        }
        await PostgresStore.upsertMembership(client, tenant, user.id, granted, at);
        return granted;
      }),
    hasOwner: async (tenant) => (await this.query("SELECT 1 FROM memberships WHERE tenant = $1 AND role = 'owner' LIMIT 1", [tenant])).length > 0,
    displayNameTaken: async (tenant, displayName) =>
      (await this.query('SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.tenant = $1 AND lower(u.display_name) = lower($2) AND u.deleted_at IS NULL LIMIT 1', [tenant, displayName]))
        .length > 0,
    updateTenant: async (id, changes) => {
      await this.transaction(async (client) => {
        if (changes.name !== undefined) await client.query('UPDATE tenants SET name = $1 WHERE id = $2', [changes.name, id]);
        if (changes.policy !== undefined) await client.query('UPDATE tenants SET policy = $1 WHERE id = $2', [JSON.stringify(changes.policy), id]);
      });
    },
    changeRole: (tenant, user, role, at) =>
      this.transaction(async (client) => {
        // Lock the tenant's owners (and the target) so two demotions cannot both pass the check.
        await client.query('SELECT id FROM tenants WHERE id = $1 FOR UPDATE', [tenant]);
        const { rows } = await client.query('SELECT role FROM memberships WHERE tenant = $1 AND user_id = $2', [tenant, user]);
        const current = rows[0];
        if (!current) return 'not-member' as const;
        if (current.role === 'owner' && role !== 'owner') {
          const { rows: owners } = await client.query("SELECT COUNT(*) AS n FROM memberships WHERE tenant = $1 AND role = 'owner'", [tenant]);
          if (Number(owners[0]?.n ?? 0) <= 1) return 'last-owner' as const;
        }
        if (role === null) await client.query('DELETE FROM memberships WHERE tenant = $1 AND user_id = $2', [tenant, user]);
        else await PostgresStore.upsertMembership(client, tenant, user, role, at);
        return 'ok' as const;
      }),

    createLogin: async (login, refresh) => {
      await this.transaction(async (client) => {
        await client.query('INSERT INTO logins(sid, user_id, tenant, client, user_agent, created_at, last_used_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
          login.sid,
          login.user,
          login.tenant,
          login.client,
          login.userAgent,
          login.createdAt,
          login.lastUsedAt,
          login.revokedAt,
        ]);
        await client.query('INSERT INTO refresh_tokens(hash, login, issued_at, expires_at, used_at) VALUES ($1, $2, $3, $4, NULL)', [refresh.hash, login.sid, refresh.issuedAt, refresh.expiresAt]);
      });
    },
    login: async (sid) => {
      const row = (await this.query('SELECT * FROM logins WHERE sid = $1', [sid]))[0];
      return row ? fromRow.login(row) : null;
    },
    loginsOf: async (user) => (await this.query('SELECT * FROM logins WHERE user_id = $1 ORDER BY created_at, sid', [user])).map(fromRow.login),
    loginOfRefreshToken: async (hash) => {
      const row = (await this.query('SELECT l.* FROM refresh_tokens r JOIN logins l ON l.sid = r.login WHERE r.hash = $1', [hash]))[0];
      return row ? fromRow.login(row) : null;
    },
    rotateRefreshToken: (presented, next, now) =>
      this.transaction(async (client) => {
        const { rows } = await client.query(
          'SELECT r.used_at AS token_used_at, r.expires_at AS token_expires_at, l.* FROM refresh_tokens r JOIN logins l ON l.sid = r.login WHERE r.hash = $1 FOR UPDATE OF r, l',
          [presented],
        );
        const row = rows[0];
        if (!row || row.revoked_at !== null) return { kind: 'invalid' as const };
        const login = fromRow.login(row);
        if (row.token_used_at !== null) {
          await client.query('UPDATE logins SET revoked_at = $1 WHERE sid = $2', [now, login.sid]);
          return { kind: 'reused' as const, login: { ...login, revokedAt: now } };
        }
        if (Number(row.token_expires_at) <= now) return { kind: 'invalid' as const };
        await client.query('UPDATE refresh_tokens SET used_at = $1 WHERE hash = $2', [now, presented]);
        await client.query('INSERT INTO refresh_tokens(hash, login, issued_at, expires_at, used_at) VALUES ($1, $2, $3, $4, NULL)', [next.hash, login.sid, next.issuedAt, next.expiresAt]);
        await client.query('UPDATE logins SET last_used_at = $1 WHERE sid = $2', [now, login.sid]);
        return { kind: 'rotated' as const, login: { ...login, lastUsedAt: now } };
      }),
    revokeLogin: async (sid, at) => ((await this.db.query('UPDATE logins SET revoked_at = $1 WHERE sid = $2 AND revoked_at IS NULL', [at, sid])).rowCount ?? 0) === 1,
    revokeLogins: (user, filter, at) => this.transaction((client) => PostgresStore.revokeLogins(client, user, filter, at)),

    createInvite: async (invite: InviteRecord) => {
      await this.query('INSERT INTO invites(hash, tenant, role, created_by, created_at, expires_at, max_uses, uses) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
        invite.hash,
        invite.tenant,
        invite.role,
        invite.createdBy,
        invite.createdAt,
        invite.expiresAt,
        invite.maxUses,
        invite.uses,
      ]);
    },
    useInvite: async (hash, now) => {
      const row = (await this.query('UPDATE invites SET uses = uses + 1 WHERE hash = $1 AND expires_at > $2 AND uses < max_uses RETURNING *', [hash, now]))[0];
      return row ? fromRow.invite(row) : null;
    },
    createResetToken: async (token) => {
      await this.transaction(async (client) => {
        await client.query('DELETE FROM reset_tokens WHERE user_id = $1 AND used_at IS NULL', [token.user]);
        await client.query('INSERT INTO reset_tokens(hash, user_id, created_by, created_at, expires_at, used_at) VALUES ($1, $2, $3, $4, $5, NULL)', [
          token.hash,
          token.user,
          token.createdBy,
          token.createdAt,
          token.expiresAt,
        ]);
      });
    },
    consumeResetToken: async (hash, now) => {
      const row = (await this.query('UPDATE reset_tokens SET used_at = $1 WHERE hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING user_id', [now, hash]))[0];
      return row ? String(row.user_id) : null;
    },
    deleteUser: (id, at) =>
      this.transaction(async (client) => {
        const { rows } = await client.query('DELETE FROM memberships WHERE user_id = $1 RETURNING *', [id]);
        const memberships = rows.map(fromRow.membership);
        const sessions = await PostgresStore.revokeLogins(client, id, {}, at);
        await client.query('DELETE FROM reset_tokens WHERE user_id = $1', [id]);
        await client.query("UPDATE users SET email = NULL, display_name = 'Deleted user', password_hash = NULL, deleted_at = $1 WHERE id = $2", [at, id]);
        return { memberships, sessions };
      }),
    idleGuests: async (before, limit) =>
      (await this.query("SELECT id FROM users WHERE kind = 'guest' AND deleted_at IS NULL AND last_seen_at < $1 ORDER BY last_seen_at LIMIT $2", [before, limit])).map((row) => String(row.id)),
    purgeExpired: (now, revokedBefore) =>
      this.transaction(async (client) => {
        let removed = 0;
        removed += (await client.query('DELETE FROM refresh_tokens WHERE expires_at <= $1', [now])).rowCount ?? 0;
        removed += (await client.query('DELETE FROM invites WHERE expires_at <= $1 OR uses >= max_uses', [now])).rowCount ?? 0;
        removed += (await client.query('DELETE FROM reset_tokens WHERE expires_at <= $1 OR used_at IS NOT NULL', [now])).rowCount ?? 0;
        removed +=
          (
            await client.query(
              'DELETE FROM logins WHERE (revoked_at IS NOT NULL AND revoked_at < $1) OR (last_used_at < $1 AND NOT EXISTS (SELECT 1 FROM refresh_tokens r WHERE r.login = logins.sid))',
              [revokedBefore],
            )
          ).rowCount ?? 0;
        return removed;
      }),
  };

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  /** Postgres backups are made with its own tools, which read one consistent snapshot online. */
  async backup(file: string): Promise<void> {
    throw new StoreError(`a Postgres store is backed up with pg_dump, online and consistent: pg_dump --format=custom --file=${JSON.stringify(file)} "$PLAZA_DATABASE_URL" (restore: pg_restore --clean --if-exists --dbname="$PLAZA_DATABASE_URL" ${JSON.stringify(file)})`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}
