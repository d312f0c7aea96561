/**
 * AI chat projections (layout: shared/sync/layouts/chat.ts):
 * - the thread index of the user's room → `chat_threads` (the list, readable without opening any thread);
 * - a thread room's messages → `chat_messages`, one record per (thread, message);
 * - a thread room's meta (title, model, session) → one `kv` record per thread.
 * Invalid values are hidden and reported, on every device alike.
 */
import { CHAT_MESSAGES, CHAT_META, readChatMessage, readChatMeta, readChatThreadIndexEntry, USER_CHAT_THREADS, type ChatMessageRecord, type ChatMeta, type ChatThreadIndexEntry } from '../../../../shared/sync/layouts/chat.ts';
import type { HiddenRecord, Projection, ProjectionResult } from '../projection.ts';

export interface ChatThreadRow extends ChatThreadIndexEntry {
  readonly id: string;
}

/** The `kv` id of a thread's meta. */
export const chatMetaKvId = (thread: string): string => `chat-meta:${thread}`;

/** The `chat_messages` id of one message: message ids are random, the thread keeps them apart anyway. */
export const chatMessageRecordId = (thread: string, message: string): string => `${thread}:${message}`;

type Upsert = { id: string } & Record<string, unknown>;

export const chatThreadsProjection: Projection = {
  name: 'chat-threads',
  collection: 'chat_threads',
  maps: [USER_CHAT_THREADS],
  incremental: true,
  project(doc, _room, roomName, keys): ProjectionResult {
    const index = doc.getMap<unknown>(USER_CHAT_THREADS);
    const upsert: Upsert[] = [];
    const remove: string[] = [];
    const hidden: HiddenRecord[] = [];
    for (const key of keys ?? index.keys()) {
      const value = index.get(key);
      if (value === undefined) {
        remove.push(key);
        continue;
      }
      const entry = readChatThreadIndexEntry(key, value);
      if (!entry.ok) {
        remove.push(key);
        hidden.push({ room: roomName, key: `${USER_CHAT_THREADS}/${key}`, code: entry.error.code, message: entry.error.message });
        continue;
      }
      const row: ChatThreadRow = { id: key, ...entry.value };
      upsert.push({ id: key, room: roomName, updatedAt: entry.value.updatedAt, data: { ...row } });
    }
    return { upsert, remove, hidden };
  },
};

export const chatMessagesProjection: Projection = {
  name: 'chat-messages',
  collection: 'chat_messages',
  maps: [CHAT_MESSAGES],
  incremental: true,
  project(doc, room, roomName, keys): ProjectionResult {
    if (room.kind !== 'chat') return { upsert: [], remove: [], hidden: [] };
    const messages = doc.getMap<unknown>(CHAT_MESSAGES);
    const upsert: Upsert[] = [];
    const remove: string[] = [];
    const hidden: HiddenRecord[] = [];
    for (const key of keys ?? messages.keys()) {
      const value = messages.get(key);
      const id = chatMessageRecordId(room.thread, key);
      if (value === undefined) {
        remove.push(id);
        continue;
      }
      const message = readChatMessage(key, value);
      if (!message.ok) {
        remove.push(id);
        hidden.push({ room: roomName, key: `${CHAT_MESSAGES}/${key}`, code: message.error.code, message: message.error.message });
        continue;
      }
      const record: ChatMessageRecord = message.value;
      upsert.push({ id, room: roomName, updatedAt: record.at, thread: room.thread, at: record.at, data: { ...record } });
    }
    return { upsert, remove, hidden };
  },
};

export const chatMetaProjection: Projection = {
  name: 'chat-meta',
  collection: 'kv',
  maps: [CHAT_META],
  incremental: false,
  project(doc, room, roomName): ProjectionResult {
    if (room.kind !== 'chat') return { upsert: [], remove: [], hidden: [] };
    const id = chatMetaKvId(room.thread);
    const meta = readChatMeta(doc.getMap<unknown>(CHAT_META).toJSON());
    if (!meta.ok) return { upsert: [], remove: [id], hidden: [{ room: roomName, key: CHAT_META, code: meta.error.code, message: meta.error.message }] };
    if (meta.value === null) return { upsert: [], remove: [id], hidden: [] };
    const value: ChatMeta = meta.value;
    return { upsert: [{ id, updatedAt: value.createdAt, data: { ...value } }], remove: [], hidden: [] };
  },
};
