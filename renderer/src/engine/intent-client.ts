/**
 * The client side of intents: write one into the outbox, see it at once as pending with the
 * result the same rule code predicts, and see the referee's decision when the inbox brings it.
 * A decided intent is deleted from the outbox, which lets the server archive its decision.
 */
import type * as Y from 'yjs';
import { INBOX_DECISIONS, makeIntent, OUTBOX_INTENTS, type Decision, type IntentEnvelope } from '../../../shared/sync/intents.ts';
import type { IntentRecord } from './collections.ts';
import type { PlazaDatabase } from './database.ts';
import { randomId } from './ids.ts';

export interface SubmitOptions {
  /** How long the intent stays valid; decided `expired` after that. */
  readonly ttlMs?: number;
  /** What the same rule code predicts locally, shown while the intent is pending. */
  readonly prediction?: unknown;
  readonly id?: string;
}

export const DEFAULT_INTENT_TTL_MS = 7 * 24 * 3600 * 1000;

export class IntentClient {
  private readonly db: PlazaDatabase;
  private readonly now: () => number;
  private outbox: Y.Doc | null = null;
  private readonly waiters = new Map<string, Array<(decision: Decision) => void>>();

  constructor(db: PlazaDatabase, now: () => number) {
    this.db = db;
    this.now = now;
  }

  /** Attaches to the user's outbox doc (called again after a rebuild). */
  attachOutbox(doc: Y.Doc): () => void {
    this.outbox = doc;
    const intents = doc.getMap<IntentEnvelope>(OUTBOX_INTENTS);
    // Intents written before a restart (or on another device of this user) appear as pending.
    const sync = async () => {
      const known = new Set((await this.db.intents.findByIds([...intents.keys()]).exec()).keys());
      const missing = [...intents.entries()].filter(([id]) => !known.has(id)).map(([id, intent]) => pendingRecord(intent, id, null));
      // Insert, never overwrite: a decision may have landed in the meantime.
      if (missing.length > 0) await this.db.intents.bulkInsert(missing);
    };
    void sync();
    const observer = () => void sync();
    intents.observe(observer);
    return () => intents.unobserve(observer);
  }

  /** Attaches to a room holding decisions (the inbox, or a history month). */
  attachDecisions(doc: Y.Doc): () => void {
    const decisions = doc.getMap<Decision>(INBOX_DECISIONS);
    const apply = async (ids: Iterable<string>) => {
      const records: IntentRecord[] = [];
      const decided: string[] = [];
      const existing = await this.db.intents.findByIds([...ids]).exec();
      for (const id of ids) {
        const decision = decisions.get(id);
        if (!decision || typeof decision !== 'object') continue;
        const previous = existing.get(id);
        records.push({
          id,
          kind: decision.kind,
          status: decision.status,
          createdAt: previous?.createdAt ?? decision.decidedAt,
          decidedAt: decision.decidedAt,
          payload: previous?.payload ?? null,
          prediction: previous?.prediction ?? null,
          decision: decision as unknown as Record<string, unknown>,
        });
        decided.push(id);
        for (const resolve of this.waiters.get(id) ?? []) resolve(decision);
        this.waiters.delete(id);
      }
      if (records.length > 0) await this.db.intents.bulkUpsert(records);
      const outbox = this.outbox;
      if (outbox) {
        const intents = outbox.getMap(OUTBOX_INTENTS);
        const trimmed = decided.filter((id) => intents.has(id));
        if (trimmed.length > 0) outbox.transact(() => trimmed.forEach((id) => intents.delete(id)));
      }
    };
    void apply([...decisions.keys()]);
    const observer = (event: Y.YMapEvent<Decision>) => void apply(event.keysChanged);
    decisions.observe(observer);
    return () => decisions.unobserve(observer);
  }

  /** Writes an intent into the outbox and records it as pending. Works offline. */
  async submit(kind: string, payload: unknown, options: SubmitOptions = {}): Promise<string> {
    if (!this.outbox) throw new Error('the outbox is not open; sign in first');
    const id = options.id ?? randomId('i', 12);
    const intent = makeIntent({ id, kind, payload, now: this.now(), ttlMs: options.ttlMs ?? DEFAULT_INTENT_TTL_MS });
    await this.db.intents.insert(pendingRecord(intent, id, options.prediction ?? null));
    this.outbox.getMap(OUTBOX_INTENTS).set(id, intent);
    return id;
  }

  /** Resolves with the decision of an intent (at once if it is already known). */
  async decision(id: string): Promise<Decision> {
    const record = await this.db.intents.findOne(id).exec();
    if (record?.decision) return record.decision as unknown as Decision;
    return new Promise((resolve) => {
      const list = this.waiters.get(id) ?? [];
      list.push(resolve);
      this.waiters.set(id, list);
    });
  }
}

function pendingRecord(intent: IntentEnvelope, id: string, prediction: unknown): IntentRecord {
  return {
    id,
    kind: intent.kind,
    status: 'pending',
    createdAt: intent.createdAt,
    decidedAt: 0,
    payload: intent.payload,
    prediction,
    decision: null,
  };
}
