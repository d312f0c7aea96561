/**
 * The RxDB collection plan for the whole app. The open-source RxDB build allows 13 open
 * collections per JS process, all databases counted; Plaza uses 10 and keeps the rest as
 * headroom (see ARCHITECTURE.md). Every area's projections land in one of these.
 *
 * | collection      | holds                                                    | fed by rooms              |
 * |-----------------|----------------------------------------------------------|---------------------------|
 * | ydocs           | each room's Yjs state (snapshot + updates), durably      | every open room           |
 * | intents         | the user's intents: pending with a prediction, decided   | outbox, inbox, history    |
 * | products        | catalog products (valid ones only)                       | catalog                   |
 * | orders          | orders: the user's own, or all of the tenant for admins  | inbox, history, orders    |
 * | chat_threads    | AI chat threads                                          | u/{user}/chat/{thread}    |
 * | chat_messages   | messages of those threads                                | u/{user}/chat/{thread}    |
 * | games           | chess games, live and finished                           | chess/{game}, lobby       |
 * | markets         | prediction markets with their current state              | markets, market/{id}      |
 * | trades          | market trades                                            | market/{id}, trades       |
 * | kv              | singletons: cart, settings, stock levels, lobby, balances,| user room, stock, lobby,  |
 * |                 | standings, spend meters, per-room sync state             | standings, inbox          |
 */
import type { RxJsonSchema } from 'rxdb';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each collection's document type is given in database.ts
type AnySchema = RxJsonSchema<any>;

export const COLLECTION_NAMES = ['ydocs', 'intents', 'products', 'orders', 'chat_threads', 'chat_messages', 'games', 'markets', 'trades', 'kv'] as const;
export type CollectionName = (typeof COLLECTION_NAMES)[number];

/** The most collections the app may open (RxDB open source stops at 13 per process). */
export const COLLECTION_BUDGET = 12;

const id = { type: 'string', maxLength: 320 } as const;
const room = { type: 'string', maxLength: 256 } as const;
const time = { type: 'number', minimum: 0, maximum: 1e15, multipleOf: 1 } as const;
const shortText = { type: 'string', maxLength: 64 } as const;

export interface YDocRow {
  id: string;
  room: string;
  seq: number;
  kind: 'snapshot' | 'update';
  data: string;
  local: boolean;
  clientId: number;
  clock: number;
}

export interface ProjectedRecord {
  id: string;
  room: string;
  updatedAt: number;
  data: Record<string, unknown>;
}

export interface IntentRecord {
  id: string;
  kind: string;
  status: 'pending' | 'accepted' | 'rejected' | 'invalid' | 'expired';
  createdAt: number;
  decidedAt: number;
  payload: unknown;
  prediction: unknown;
  decision: Record<string, unknown> | null;
}

export interface KvRecord {
  id: string;
  updatedAt: number;
  data: Record<string, unknown>;
}

function projected(extra: Record<string, unknown> = {}, indexes: Array<string | string[]> = [], required: string[] = []): RxJsonSchema<ProjectedRecord> {
  return {
    version: 0,
    primaryKey: 'id',
    type: 'object',
    properties: { id, room, updatedAt: time, data: { type: 'object', additionalProperties: true }, ...extra },
    required: ['id', 'room', 'updatedAt', 'data', ...required],
    indexes,
    additionalProperties: false,
  } as RxJsonSchema<ProjectedRecord>;
}

export const SCHEMAS: Record<CollectionName, AnySchema> = {
  ydocs: {
    version: 0,
    primaryKey: 'id',
    type: 'object',
    properties: {
      id,
      room,
      seq: time,
      kind: { type: 'string', enum: ['snapshot', 'update'], maxLength: 10 },
      data: { type: 'string' },
      local: { type: 'boolean' },
      clientId: { type: 'number' },
      clock: { type: 'number' },
    },
    required: ['id', 'room', 'seq', 'kind', 'data', 'local', 'clientId', 'clock'],
    indexes: [['room', 'seq']],
    additionalProperties: false,
  } as AnySchema,
  intents: {
    version: 0,
    primaryKey: 'id',
    type: 'object',
    properties: {
      id,
      kind: shortText,
      status: { type: 'string', enum: ['pending', 'accepted', 'rejected', 'invalid', 'expired'], maxLength: 10 },
      createdAt: time,
      decidedAt: time,
      payload: {},
      prediction: {},
      decision: { type: ['object', 'null'] },
    },
    required: ['id', 'kind', 'status', 'createdAt', 'decidedAt'],
    indexes: ['createdAt', ['status', 'createdAt']],
    additionalProperties: false,
  } as AnySchema,
  products: projected({ status: shortText }, ['updatedAt'], ['status']) as AnySchema,
  orders: projected({ createdAt: time }, ['createdAt'], ['createdAt']) as AnySchema,
  chat_threads: projected({}, ['updatedAt']) as AnySchema,
  chat_messages: projected({ thread: room, at: time }, [['thread', 'at']], ['thread', 'at']) as AnySchema,
  games: projected({ status: shortText }, ['updatedAt'], ['status']) as AnySchema,
  markets: projected({ status: shortText }, ['updatedAt'], ['status']) as AnySchema,
  trades: projected({ market: room, at: time }, [['market', 'at']], ['market', 'at']) as AnySchema,
  kv: {
    version: 0,
    primaryKey: 'id',
    type: 'object',
    properties: { id, updatedAt: time, data: { type: 'object', additionalProperties: true } },
    required: ['id', 'updatedAt', 'data'],
    additionalProperties: false,
  } as AnySchema,
};
