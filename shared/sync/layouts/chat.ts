/**
 * AI chat threads. One room per thread, `t/{tenant}/u/{user}/chat/{thread}`, written only by its
 * owner (from any of their devices), plus an index of threads in the user's own room so that the
 * list shows without opening every thread.
 *
 * Thread room:
 *
 * | map | key | value |
 * |---|---|---|
 * | `meta` | `v` | `CHAT_LAYOUT_VERSION` |
 * | `meta` | `title`, `createdAt`, `model` | the thread's title, creation time, chosen model |
 * | `meta` | `sessionId` | the server chat session the thread spends from (optional) |
 * | `messages` | message id | `ChatMessageRecord` (a plain object, written once per status) |
 *
 * User room (`t/{tenant}/u/{user}`): map `chatThreads`, thread id → `ChatThreadIndexEntry`.
 *
 * Messages are keyed by a crypto-random id and ordered by `at` (server-corrected time), then id:
 * two devices writing at once each add their own keys and every device shows the same order.
 * A message is never edited in place except to replace it whole (a refused prompt sent again).
 * Values that do not parse are hidden by the projections and reported, never trusted.
 */
import type * as Y from 'yjs';
import { z } from 'zod';
import { err, ok, type DomainError, type Result } from '../../domain/result.ts';

export const CHAT_META = 'meta';
export const CHAT_MESSAGES = 'messages';
export const USER_CHAT_THREADS = 'chatThreads';
export const CHAT_LAYOUT_VERSION = 1;

/** A thread holds at most this many messages; then the UI asks for a new thread (rooms stay small). */
export const CHAT_MAX_MESSAGES = 1_000;
export const CHAT_MAX_CONTENT = 100_000;
export const CHAT_MAX_TITLE = 120;

export const CHAT_ROLES = ['user', 'assistant'] as const;
export type ChatRole = (typeof CHAT_ROLES)[number];

/**
 * - `complete`: a prompt that was answered, or a whole answer;
 * - `stopped`: an answer cut by the stop button (what arrived is kept);
 * - `refused`: a prompt the budget policy refused (client or server), not answered;
 * - `error`: an answer that ended with an error (what arrived is kept).
 */
export const CHAT_MESSAGE_STATUSES = ['complete', 'stopped', 'refused', 'error'] as const;
export type ChatMessageStatus = (typeof CHAT_MESSAGE_STATUSES)[number];

const ID = /^[A-Za-z0-9_-]{1,64}$/;
const id = z.string().regex(ID, 'ids use A-Z a-z 0-9 _ - (1–64)');
const time = z.int().min(0).max(1e15);
const tokens = z.int().min(0).max(100_000_000);

export const chatUsageSchema = z.strictObject({
  promptTokens: tokens,
  completionTokens: tokens,
  cachedPromptTokens: tokens.optional(),
});

export const chatMessageSchema = z.strictObject({
  id,
  role: z.enum(CHAT_ROLES),
  content: z.string().max(CHAT_MAX_CONTENT),
  at: time,
  model: z.string().min(1).max(100).optional(),
  usage: chatUsageSchema.optional(),
  chargedMicroUsd: z.int().min(0).max(1_000_000_000_000).optional(),
  status: z.enum(CHAT_MESSAGE_STATUSES),
  /** Why a message was refused or ended with an error, for people. */
  note: z.string().max(2_000).optional(),
});

export type ChatMessageRecord = z.infer<typeof chatMessageSchema>;
export type ChatUsage = z.infer<typeof chatUsageSchema>;

const version = z.literal(CHAT_LAYOUT_VERSION, { error: 'this chat thread was written by a newer app: update the app' });
const title = z.string().trim().min(1, { error: 'a thread needs a title' }).max(CHAT_MAX_TITLE);

export const chatMetaSchema = z.strictObject({
  v: version,
  title,
  createdAt: time,
  model: z.string().min(1).max(100),
  sessionId: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/).optional(),
});
export type ChatMeta = z.infer<typeof chatMetaSchema>;

export const chatThreadIndexEntrySchema = z.strictObject({ title, updatedAt: time });
export type ChatThreadIndexEntry = z.infer<typeof chatThreadIndexEntrySchema>;

export type ChatLayoutError = DomainError<'invalid-chat-message' | 'invalid-chat-meta' | 'invalid-chat-thread'>;

const firstIssue = (error: z.ZodError) => {
  const issue = error.issues[0];
  return issue ? `${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message}` : 'invalid';
};

export function isChatId(value: string): boolean {
  return ID.test(value);
}

/** One message as stored under `key`; the key must be the message's own id. */
export function readChatMessage(key: string, value: unknown): Result<ChatMessageRecord, ChatLayoutError> {
  const parsed = chatMessageSchema.safeParse(value);
  if (!parsed.success) return err({ code: 'invalid-chat-message', message: `message ${key}: ${firstIssue(parsed.error)}` });
  if (parsed.data.id !== key) return err({ code: 'invalid-chat-message', message: `message ${key}: stored under another message's key` });
  return ok(parsed.data);
}

/** The thread's meta map (`Y.Map#toJSON()` or a plain object). An empty map is a deleted thread. */
export function readChatMeta(value: unknown): Result<ChatMeta | null, ChatLayoutError> {
  if (typeof value === 'object' && value !== null && Object.keys(value).length === 0) return ok(null);
  const parsed = chatMetaSchema.safeParse(value);
  if (!parsed.success) return err({ code: 'invalid-chat-meta', message: `thread meta: ${firstIssue(parsed.error)}` });
  return ok(parsed.data);
}

export function readChatThreadIndexEntry(key: string, value: unknown): Result<ChatThreadIndexEntry, ChatLayoutError> {
  if (!ID.test(key)) return err({ code: 'invalid-chat-thread', message: `thread ${key.slice(0, 80)}: not a thread id` });
  const parsed = chatThreadIndexEntrySchema.safeParse(value);
  if (!parsed.success) return err({ code: 'invalid-chat-thread', message: `thread ${key}: ${firstIssue(parsed.error)}` });
  return ok(parsed.data);
}

/** The display order of a thread: by time, then id (the same on every device). */
export function compareMessages(a: Pick<ChatMessageRecord, 'at' | 'id'>, b: Pick<ChatMessageRecord, 'at' | 'id'>): number {
  return a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Every valid message of a thread doc, in order, and what was hidden. */
export function readThreadMessages(doc: Y.Doc): { readonly messages: readonly ChatMessageRecord[]; readonly hidden: readonly string[] } {
  const messages: ChatMessageRecord[] = [];
  const hidden: string[] = [];
  for (const [key, value] of doc.getMap<unknown>(CHAT_MESSAGES).entries()) {
    const message = readChatMessage(key, value);
    if (message.ok) messages.push(message.value);
    else hidden.push(message.error.message);
  }
  return { messages: messages.sort(compareMessages), hidden };
}

/** A title from the first prompt: its first line, shortened. */
export function titleFromPrompt(text: string): string {
  const line = text.trim().split('\n')[0]?.trim() ?? '';
  if (line.length === 0) return 'New conversation';
  return line.length <= 60 ? line : `${line.slice(0, 59).trimEnd()}…`;
}

// Writers -----------------------------------------------------------------------------------------
// Each takes the Y.Doc(s) of the rooms it touches and validates what it writes: a bug here must
// not store something every projection would then hide.

export interface NewThread {
  readonly id: string;
  readonly title: string;
  readonly model: string;
  readonly createdAt: number;
}

function must<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new Error(`refusing to write an invalid ${what}: ${firstIssue(parsed.error)}`);
  return parsed.data;
}

/** Creates a thread: its meta in the thread room, its entry in the user's index. */
export function createThread(userDoc: Y.Doc, threadDoc: Y.Doc, thread: NewThread): void {
  if (!ID.test(thread.id)) throw new Error(`not a thread id: ${thread.id}`);
  const meta = must(chatMetaSchema, { v: CHAT_LAYOUT_VERSION, title: thread.title, createdAt: thread.createdAt, model: thread.model }, 'thread');
  threadDoc.transact(() => {
    const map = threadDoc.getMap<unknown>(CHAT_META);
    for (const [key, value] of Object.entries(meta)) map.set(key, value);
  });
  userDoc.getMap<unknown>(USER_CHAT_THREADS).set(thread.id, { title: meta.title, updatedAt: thread.createdAt } satisfies ChatThreadIndexEntry);
}

/** Sets one meta field (title, model, sessionId) of a thread. */
export function setThreadMeta(threadDoc: Y.Doc, field: 'title' | 'model' | 'sessionId', value: string): void {
  const schema = chatMetaSchema.shape[field];
  threadDoc.getMap<unknown>(CHAT_META).set(field, must(schema as z.ZodType<string>, value, `thread ${field}`));
}

/** Renames a thread in both places. */
export function renameThread(userDoc: Y.Doc, threadDoc: Y.Doc | null, threadId: string, newTitle: string, now: number): void {
  const clean = must(title, newTitle, 'thread title');
  threadDoc?.getMap<unknown>(CHAT_META).set('title', clean);
  const index = userDoc.getMap<unknown>(USER_CHAT_THREADS);
  const current = index.get(threadId);
  const updatedAt = current !== undefined && chatThreadIndexEntrySchema.safeParse(current).success ? Math.max((current as ChatThreadIndexEntry).updatedAt, now) : now;
  index.set(threadId, { title: clean, updatedAt } satisfies ChatThreadIndexEntry);
}

/** Marks a thread as just used (the list shows the most recent first). */
export function touchThread(userDoc: Y.Doc, threadId: string, now: number): void {
  const index = userDoc.getMap<unknown>(USER_CHAT_THREADS);
  const current = readChatThreadIndexEntry(threadId, index.get(threadId));
  if (!current.ok) return;
  index.set(threadId, { title: current.value.title, updatedAt: Math.max(current.value.updatedAt, now) } satisfies ChatThreadIndexEntry);
}

/**
 * Deletes a thread: out of the index, and its room emptied (meta and messages), so that no device
 * keeps showing it and its text does not linger on the server.
 */
export function deleteThread(userDoc: Y.Doc, threadDoc: Y.Doc | null, threadId: string): void {
  userDoc.getMap<unknown>(USER_CHAT_THREADS).delete(threadId);
  if (!threadDoc) return;
  threadDoc.transact(() => {
    for (const name of [CHAT_META, CHAT_MESSAGES]) {
      const map = threadDoc.getMap<unknown>(name);
      for (const key of [...map.keys()]) map.delete(key);
    }
  });
}

/** Writes (or replaces) one message. */
export function putMessage(threadDoc: Y.Doc, message: ChatMessageRecord): void {
  const valid = must(chatMessageSchema, message, 'chat message');
  const map = threadDoc.getMap<unknown>(CHAT_MESSAGES);
  if (!map.has(valid.id) && map.size >= CHAT_MAX_MESSAGES) throw new Error(`a thread holds at most ${CHAT_MAX_MESSAGES} messages: start a new conversation`);
  // Optional fields left undefined are not stored (Yjs would keep `undefined` as a value).
  map.set(valid.id, JSON.parse(JSON.stringify(valid)) as unknown);
}
