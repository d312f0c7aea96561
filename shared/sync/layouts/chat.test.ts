import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  CHAT_MAX_MESSAGES,
  CHAT_MESSAGES,
  CHAT_META,
  createThread,
  deleteThread,
  putMessage,
  readChatMessage,
  readChatMeta,
  readChatThreadIndexEntry,
  readThreadMessages,
  renameThread,
  setThreadMeta,
  titleFromPrompt,
  touchThread,
  USER_CHAT_THREADS,
  type ChatMessageRecord,
} from './chat.ts';

const message = (id: string, at: number, extra: Partial<ChatMessageRecord> = {}): ChatMessageRecord => ({ id, role: 'user', content: `text ${id}`, at, status: 'complete', ...extra });

/** Two replicas of one room, exchanging updates only when told (like two offline devices). */
function pair(): { a: Y.Doc; b: Y.Doc; sync(): void } {
  const a = new Y.Doc();
  const b = new Y.Doc();
  return {
    a,
    b,
    sync() {
      Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)));
      Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)));
    },
  };
}

describe('chat layout: parsing', () => {
  it.each([
    ['a complete prompt', message('m1', 1), true],
    ['an answer with usage, charge and model', message('m1', 1, { role: 'assistant', model: 'gpt-4o-mini', usage: { promptTokens: 10, completionTokens: 5 }, chargedMicroUsd: 12 }), true],
    ['a stopped partial answer', message('m1', 1, { role: 'assistant', status: 'stopped', content: 'half an ans' }), true],
    ['a refused prompt with its reason', message('m1', 1, { status: 'refused', note: 'AI budget reached.' }), true],
    ['a system message (not a stored role)', { ...message('m1', 1), role: 'system' }, false],
    ['an unknown status', { ...message('m1', 1), status: 'pending' }, false],
    ['a fractional time', message('m1', 1.5), false],
    ['a negative charge', message('m1', 1, { chargedMicroUsd: -1 }), false],
    ['an unknown field (a newer app, or tampering)', { ...message('m1', 1), html: '<b>x</b>' }, false],
    ['content over the size limit', message('m1', 1, { content: 'x'.repeat(100_001) }), false],
    ['garbage', 'hello', false],
  ])('%s', (_name, value, valid) => {
    expect(readChatMessage('m1', value).ok).toBe(valid);
  });

  it('refuses a message stored under another id', () => {
    const read = readChatMessage('m2', message('m1', 1));
    expect(read).toMatchObject({ ok: false, error: { code: 'invalid-chat-message' } });
  });

  it('reads meta, an empty (deleted or not yet synced) meta as null, and says "update the app" for a newer version', () => {
    expect(readChatMeta({ v: 1, title: 'Hi', createdAt: 5, model: 'gpt-4o-mini' })).toEqual({ ok: true, value: { v: 1, title: 'Hi', createdAt: 5, model: 'gpt-4o-mini' } });
    expect(readChatMeta({})).toEqual({ ok: true, value: null });
    const newer = readChatMeta({ v: 2, title: 'Hi', createdAt: 5, model: 'gpt-4o-mini' });
    expect(newer.ok).toBe(false);
    if (!newer.ok) expect(newer.error.message).toMatch(/update the app/);
  });

  it('reads index entries and refuses bad keys', () => {
    expect(readChatThreadIndexEntry('t1', { title: 'Hi', updatedAt: 3 }).ok).toBe(true);
    expect(readChatThreadIndexEntry('../x', { title: 'Hi', updatedAt: 3 }).ok).toBe(false);
    expect(readChatThreadIndexEntry('t1', { title: '   ', updatedAt: 3 }).ok).toBe(false);
  });

  it.each([
    ['Explain CRDTs please', 'Explain CRDTs please'],
    ['  first line\nsecond line', 'first line'],
    ['', 'New conversation'],
    ['x'.repeat(100), `${'x'.repeat(59)}…`],
  ])('titles a thread from its first prompt: %j', (prompt, title) => {
    expect(titleFromPrompt(prompt)).toBe(title);
  });
});

describe('chat layout: writers', () => {
  it('creates, renames, touches and deletes a thread in both rooms', () => {
    const user = new Y.Doc();
    const thread = new Y.Doc();
    createThread(user, thread, { id: 't1', title: 'Hello', model: 'gpt-4o-mini', createdAt: 100 });
    expect(thread.getMap(CHAT_META).toJSON()).toEqual({ v: 1, title: 'Hello', createdAt: 100, model: 'gpt-4o-mini' });
    expect(user.getMap(USER_CHAT_THREADS).get('t1')).toEqual({ title: 'Hello', updatedAt: 100 });

    renameThread(user, thread, 't1', '  Renamed ', 200);
    expect(thread.getMap(CHAT_META).get('title')).toBe('Renamed');
    expect(user.getMap(USER_CHAT_THREADS).get('t1')).toEqual({ title: 'Renamed', updatedAt: 200 });
    touchThread(user, 't1', 150);
    expect(user.getMap(USER_CHAT_THREADS).get('t1')).toEqual({ title: 'Renamed', updatedAt: 200 });
    touchThread(user, 't1', 300);
    expect(user.getMap(USER_CHAT_THREADS).get('t1')).toEqual({ title: 'Renamed', updatedAt: 300 });
    setThreadMeta(thread, 'sessionId', 'ls_abc');
    expect(readChatMeta(thread.getMap(CHAT_META).toJSON())).toMatchObject({ ok: true, value: { sessionId: 'ls_abc' } });

    putMessage(thread, message('m1', 1));
    deleteThread(user, thread, 't1');
    expect(user.getMap(USER_CHAT_THREADS).has('t1')).toBe(false);
    expect(thread.getMap(CHAT_META).size).toBe(0);
    expect(thread.getMap(CHAT_MESSAGES).size).toBe(0);
  });

  it('refuses to write what the projections would hide', () => {
    const user = new Y.Doc();
    const thread = new Y.Doc();
    expect(() => createThread(user, thread, { id: 'a/b', title: 'x', model: 'm', createdAt: 1 })).toThrow(/thread id/);
    expect(() => renameThread(user, thread, 't1', '   ', 1)).toThrow(/title/);
    expect(() => putMessage(thread, { ...message('m1', 1), status: 'nope' as never })).toThrow(/invalid chat message/);
    expect(thread.getMap(CHAT_MESSAGES).size).toBe(0);
  });

  it('does not store undefined optional fields', () => {
    const thread = new Y.Doc();
    putMessage(thread, { ...message('m1', 1), model: undefined } as unknown as ChatMessageRecord);
    expect(Object.keys(thread.getMap(CHAT_MESSAGES).get('m1') as object)).not.toContain('model');
  });

  it('bounds a thread: the message after the last allowed one is refused', () => {
    const thread = new Y.Doc();
    thread.transact(() => {
      for (let index = 0; index < CHAT_MAX_MESSAGES; index += 1) putMessage(thread, message(`m${index}`, index));
    });
    expect(() => putMessage(thread, message('one-more', 1e6))).toThrow(/at most/);
    // Replacing an existing message is still allowed (a refused prompt sent again).
    expect(() => putMessage(thread, message('m0', 0, { status: 'refused' }))).not.toThrow();
  });
});

describe('chat layout: two devices', () => {
  it('two devices adding messages offline converge to the same order, by time then id', () => {
    const room = pair();
    putMessage(room.a, message('a1', 10));
    putMessage(room.a, message('a2', 30));
    putMessage(room.b, message('b1', 20));
    putMessage(room.b, message('b0', 30));
    room.sync();
    const order = (doc: Y.Doc) => readThreadMessages(doc).messages.map((entry) => entry.id);
    expect(order(room.a)).toEqual(['a1', 'b1', 'a2', 'b0']);
    expect(order(room.b)).toEqual(order(room.a));
  });

  it('a rename on one device and a model change on the other both survive', () => {
    const room = pair();
    const user = new Y.Doc();
    createThread(user, room.a, { id: 't1', title: 'Hello', model: 'gpt-4o-mini', createdAt: 1 });
    room.sync();
    renameThread(user, room.a, 't1', 'Renamed', 2);
    setThreadMeta(room.b, 'model', 'gpt-4o');
    room.sync();
    expect(readChatMeta(room.a.getMap(CHAT_META).toJSON())).toEqual({ ok: true, value: { v: 1, title: 'Renamed', createdAt: 1, model: 'gpt-4o' } });
    expect(room.b.getMap(CHAT_META).toJSON()).toEqual(room.a.getMap(CHAT_META).toJSON());
  });

  it('hides invalid messages written by a tampered client and reports them', () => {
    const doc = new Y.Doc();
    putMessage(doc, message('ok', 1));
    doc.getMap(CHAT_MESSAGES).set('bad', { id: 'bad', role: 'assistant', content: 1, at: 2, status: 'complete' });
    const { messages, hidden } = readThreadMessages(doc);
    expect(messages.map((entry) => entry.id)).toEqual(['ok']);
    expect(hidden).toHaveLength(1);
  });
});
