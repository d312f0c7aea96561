import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { spendMeter } from '../../../../shared/domain/llm/meter.ts';
import { microUsd } from '../../../../shared/domain/money.ts';
import { CHAT_MESSAGES, CHAT_META, createThread, deleteThread, putMessage, type ChatMessageRecord } from '../../../../shared/sync/layouts/chat.ts';
import { INBOX_LLM, LLM_INBOX_VERSION, llmSessionKey } from '../../../../shared/sync/layouts/llm.ts';
import { parseRoomName, roomNames, type RoomRef } from '../../../../shared/sync/rooms.ts';
import { eventually } from '../../../../sync-server/src/test-support/harness.ts';
import { fixedToken, startEngine, type Engine } from '../test-support/engine-harness.ts';
import { chatMessageRecordId, chatMessagesProjection, chatMetaKvId, chatMetaProjection, chatThreadsProjection } from './chat.ts';
import { projectionsFor } from './index.ts';
import { LLM_INBOX_KV_ID, llmInboxProjection, type LlmInboxRecord } from './llm.ts';

const TENANT = 'acme';
const USER = 'u1';
const userRoom = roomNames.user(TENANT, USER);
const threadRoom = roomNames.chat(TENANT, USER, 't1');
const ref = (name: string): RoomRef => {
  const parsed = parseRoomName(name);
  if (!parsed.ok) throw new Error(name);
  return parsed.value;
};
const message = (id: string, at: number, extra: Partial<ChatMessageRecord> = {}): ChatMessageRecord => ({ id, role: 'user', content: `text ${id}`, at, status: 'complete', ...extra });

describe('chat projections (pure)', () => {
  it('are attached to the right rooms', () => {
    expect(projectionsFor(ref(userRoom))).toContain(chatThreadsProjection);
    expect(projectionsFor(ref(threadRoom))).toEqual([chatMetaProjection, chatMessagesProjection]);
    expect(projectionsFor(ref(roomNames.inbox(TENANT, USER)))).toContain(llmInboxProjection);
  });

  it('projects the thread index, hides invalid entries and removes deleted ones', () => {
    const user = new Y.Doc();
    createThread(user, new Y.Doc(), { id: 't1', title: 'Hello', model: 'gpt-4o-mini', createdAt: 10 });
    user.getMap('chatThreads').set('t2', { title: 42, updatedAt: 1 });
    const full = chatThreadsProjection.project(user, ref(userRoom), userRoom, null);
    expect(full.upsert).toEqual([{ id: 't1', room: userRoom, updatedAt: 10, data: { id: 't1', title: 'Hello', updatedAt: 10 } }]);
    expect(full.remove).toEqual(['t2']);
    expect(full.hidden).toMatchObject([{ room: userRoom, code: 'invalid-chat-thread' }]);
    deleteThread(user, null, 't1');
    expect(chatThreadsProjection.project(user, ref(userRoom), userRoom, new Set(['t1'])).remove).toEqual(['t1']);
  });

  it('projects messages with their thread and time, hiding invalid ones', () => {
    const thread = new Y.Doc();
    putMessage(thread, message('m1', 5));
    putMessage(thread, message('m2', 6, { role: 'assistant', status: 'stopped', content: 'partial' }));
    thread.getMap(CHAT_MESSAGES).set('m3', { id: 'm3', role: 'assistant', content: '<script>', at: 7, status: 'complete', html: true });
    const result = chatMessagesProjection.project(thread, ref(threadRoom), threadRoom, null);
    expect(result.upsert.map((record) => [record.id, record.thread, record.at])).toEqual([
      ['t1:m1', 't1', 5],
      ['t1:m2', 't1', 6],
    ]);
    expect(result.upsert[1]?.data).toMatchObject({ status: 'stopped', content: 'partial' });
    expect(result.remove).toEqual(['t1:m3']);
    expect(result.hidden).toMatchObject([{ key: 'messages/m3', code: 'invalid-chat-message' }]);
  });

  it('projects meta into kv, and removes it when the thread is emptied', () => {
    const thread = new Y.Doc();
    expect(chatMetaProjection.project(thread, ref(threadRoom), threadRoom, null)).toEqual({ upsert: [], remove: [chatMetaKvId('t1')], hidden: [] });
    createThread(new Y.Doc(), thread, { id: 't1', title: 'Hello', model: 'gpt-4o-mini', createdAt: 10 });
    expect(chatMetaProjection.project(thread, ref(threadRoom), threadRoom, null).upsert).toEqual([
      { id: 'chat-meta:t1', updatedAt: 10, data: { v: 1, title: 'Hello', createdAt: 10, model: 'gpt-4o-mini' } },
    ]);
    thread.getMap(CHAT_META).set('v', 99);
    expect(chatMetaProjection.project(thread, ref(threadRoom), threadRoom, null).hidden[0]?.message).toMatch(/newer app/);
  });

  it('projects the inbox spend meter as the server writes it, and reports what does not parse', () => {
    const inbox = new Y.Doc();
    const now = Date.UTC(2026, 0, 2, 12);
    const identity = { tenantId: TENANT, userId: USER, sessionId: 's1' };
    const limits = { sessionMicroUsd: microUsd(500_000), userDailyMicroUsd: microUsd(2_000_000), tenantDailyMicroUsd: microUsd(20_000_000), tenantMonthlyMicroUsd: microUsd(200_000_000) };
    const meter = spendMeter(identity, limits, {}, now);
    const map = inbox.getMap<unknown>(INBOX_LLM);
    map.set('meter', { v: LLM_INBOX_VERSION, updatedAt: now, rows: meter.rows.filter((row) => row.kind !== 'session').map((row) => ({ ...row })), tightest: 'user-day', lastSessionId: 's1' });
    map.set(llmSessionKey('s1'), { v: 1, sessionId: 's1', updatedAt: now, startedAt: now, lastHumanInputAt: now, callCount: 0, spentMicroUsd: 0, budget: { ...meter.session }, halt: null, lastCall: null });
    map.set('alerts', { v: 1, items: [] });
    map.set('surprise', 1);
    const inboxRoom = roomNames.inbox(TENANT, USER);
    const result = llmInboxProjection.project(inbox, ref(inboxRoom), inboxRoom, null);
    const data = result.upsert[0]?.data as unknown as LlmInboxRecord;
    expect(result.upsert[0]?.id).toBe(LLM_INBOX_KV_ID);
    expect(data.meter?.rows.map((row) => row.kind)).toEqual(['user-day', 'tenant-day', 'tenant-month']);
    expect(Object.keys(data.sessions)).toEqual(['s1']);
    expect(result.hidden).toMatchObject([{ code: 'invalid-llm-record', message: expect.stringMatching(/^surprise:/) }]);
  });
});

describe('chat projections in the client engine', () => {
  let engine: Engine | null = null;
  afterEach(async () => {
    await engine?.close();
    engine = null;
  });

  it('threads and their messages stay readable offline after a restart, without reopening the thread room', async () => {
    const storage = getRxStorageMemory();
    const principal = { tenant: TENANT, user: USER, role: 'member' as const };
    const start = () => startEngine({ serverUrl: 'http://127.0.0.1:9', principal, tokens: fixedToken('unused'), storage, online: false });
    engine = await start();
    const { client } = engine;
    await client.open(userRoom, projectionsFor(ref(userRoom)));
    await client.open(threadRoom, projectionsFor(ref(threadRoom)));
    createThread(client.replica(userRoom)!.doc, client.replica(threadRoom)!.doc, { id: 't1', title: 'Offline chat', model: 'gpt-4o-mini', createdAt: 10 });
    putMessage(client.replica(threadRoom)!.doc, message('m2', 20, { role: 'assistant', content: '**bold**' }));
    putMessage(client.replica(threadRoom)!.doc, message('m1', 15));
    await client.settled();
    await client.release(threadRoom);
    await engine.close();

    engine = await start();
    const db = engine.db;
    const threads = await db.chat_threads.find().exec();
    expect(threads.map((row) => row.data)).toEqual([{ id: 't1', title: 'Offline chat', updatedAt: 10 }]);
    const messages = await db.chat_messages.find({ selector: { thread: 't1' } as never, sort: [{ at: 'asc' } as never] }).exec();
    expect(messages.map((row) => row.id)).toEqual([chatMessageRecordId('t1', 'm1'), chatMessageRecordId('t1', 'm2')]);
    expect((await db.kv.findOne(chatMetaKvId('t1')).exec())?.data).toMatchObject({ title: 'Offline chat', model: 'gpt-4o-mini' });

    // Deleting the thread empties its records too (the harness engine attaches no projections by itself).
    await engine.client.open(userRoom, projectionsFor(ref(userRoom)));
    await engine.client.open(threadRoom, projectionsFor(ref(threadRoom)));
    deleteThread(engine.client.replica(userRoom)!.doc, engine.client.replica(threadRoom)!.doc, 't1');
    await eventually(async () => {
      await engine!.client.settled();
      expect(await db.chat_threads.count().exec()).toBe(0);
      expect(await db.chat_messages.count().exec()).toBe(0);
      expect(await db.kv.findOne(chatMetaKvId('t1')).exec()).toBeNull();
    });
  });
});
