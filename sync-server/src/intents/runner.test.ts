import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { monthKey, roomNames } from '../../../shared/sync/rooms.ts';
import type { RunningServer } from '../server.ts';
import { addUser, connectClient, destroyAll, eventually, startTestServer, whenSynced, type TestUser } from '../test-support/harness.ts';
import { decisionIn, intentId, writeIntent } from '../test-support/intents.ts';
import { STORE_KINDS, storeOverrides } from '../test-support/stores.ts';

let server: RunningServer;
afterEach(async () => {
  await server?.close();
});

async function openUser(user: TestUser) {
  const outbox = connectClient(server, roomNames.outbox(user.tenant, user.id), user.token);
  const inbox = connectClient(server, roomNames.inbox(user.tenant, user.id), user.token);
  await Promise.all([whenSynced(outbox.provider), whenSynced(inbox.provider)]);
  return { outbox, inbox };
}

async function storedDoc(room: string): Promise<Y.Doc> {
  const doc = new Y.Doc();
  const stored = await server.store.rooms.load(room);
  for (const update of [stored.snapshot, ...stored.updates.map((entry) => entry.data)]) if (update) Y.applyUpdate(doc, update);
  return doc;
}

describe.each(STORE_KINDS)('intents and the referee (%s store)', (kind) => {
  it('decides an intent once and writes the decision into the author’s inbox', async () => {
    server = await startTestServer(await storeOverrides(kind));
    const alice = await addUser(server, 'acme');
    const { outbox, inbox } = await openUser(alice);
    const id = writeIntent(outbox.doc, 'test.echo', { hello: 'world' });
    await eventually(() => expect(decisionIn(inbox.doc, id)).toMatchObject({ status: 'accepted', result: { hello: 'world' }, kind: 'test.echo' }));
    expect(await server.store.intents.decision('acme', alice.id, id)).toMatchObject({ status: 'accepted' });
    expect(await server.store.intents.countPending()).toBe(0);
    destroyAll(outbox.provider, inbox.provider);
  });

  it('a burst of intents is decided in batches, each once, each on the state the ones before it left', async () => {
    server = await startTestServer(await storeOverrides(kind));
    const alice = await addUser(server, 'acme');
    const { outbox, inbox } = await openUser(alice);
    const amounts = Array.from({ length: 40 }, (_unused, index) => index + 1);
    const ids: string[] = [];
    // One update carrying 40 intents: they are all pending before the runner looks.
    outbox.doc.transact(() => {
      for (const amount of amounts) ids.push(writeIntent(outbox.doc, 'test.add', { amount }));
    });
    await eventually(() => expect(ids.every((id) => decisionIn(inbox.doc, id) !== undefined)).toBe(true), 20_000);
    const decided = ids.map((id, index) => ({ amount: amounts[index]!, decision: decisionIn(inbox.doc, id)! }));
    expect(decided.every(({ decision }) => decision.status === 'accepted')).toBe(true);
    // Sorted by the counter each one saw, every step adds exactly that intent's amount.
    const steps = decided.map(({ amount, decision }) => ({ amount, counter: (decision.result as { counter: number }).counter })).sort((a, b) => a.counter - b.counter);
    let previous = 0;
    for (const step of steps) {
      expect(step.counter - previous).toBe(step.amount);
      previous = step.counter;
    }
    const sum = amounts.reduce((total, amount) => total + amount, 0);
    expect(previous).toBe(sum);
    await eventually(async () => expect((await storedDoc(roomNames.inbox('acme', alice.id))).getMap('state').get('counter')).toBe(sum));
    for (const id of ids) expect(await server.store.intents.decision('acme', alice.id, id)).toMatchObject({ status: 'accepted' });
    expect(await server.store.intents.countPending()).toBe(0);
    // Batched: far fewer stored inbox updates than decisions.
    const stored = await server.store.rooms.load(roomNames.inbox('acme', alice.id));
    expect(stored.updates.length).toBeLessThan(10);
    destroyAll(outbox.provider, inbox.provider);
  });

  it('a job loads its rooms together (new rooms share one group commit); one that fails to load releases the others', async () => {
    server = await startTestServer(await storeOverrides(kind));
    await addUser(server, 'acme');
    const acquire = server.rooms.acquire.bind(server.rooms);
    let inFlight = 0;
    let most = 0;
    server.rooms.acquire = async (name) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      try {
        return await acquire(name);
      } finally {
        inFlight -= 1;
      }
    };
    const month = monthKey(Date.now());
    const rooms = Array.from({ length: 8 }, (_unused, index) => roomNames.marketTrades('acme', `m${index}`, month));
    await server.runner.task('acme', 'test', { rooms, run: (context) => rooms.forEach((room) => context.write(room, (doc) => doc.getMap('state').set('touched', true))) });
    // One after another, a single acquire would be in flight at a time.
    expect(most).toBe(rooms.length);
    for (const room of rooms) expect((await storedDoc(room)).getMap('state').get('touched')).toBe(true);
    const fresh = roomNames.marketTrades('acme', 'other', month);
    await expect(server.runner.task('acme', 'test', { rooms: [fresh, 'not a room'], run: () => undefined })).rejects.toThrow();
    expect(server.rooms.loaded(fresh)?.holds ?? 0).toBe(0);
    for (const room of rooms) expect(server.rooms.loaded(room)?.holds ?? 0).toBe(0);
  });

  it('the first content of an intent wins; editing it after submission changes nothing', async () => {
    server = await startTestServer(await storeOverrides(kind));
    const alice = await addUser(server, 'acme');
    const { outbox, inbox } = await openUser(alice);
    const id = writeIntent(outbox.doc, 'test.add', { amount: 5 });
    writeIntent(outbox.doc, 'test.add', { amount: 500 }, { id });
    await eventually(() => expect(decisionIn(inbox.doc, id)?.status).toBe('accepted'));
    writeIntent(outbox.doc, 'test.add', { amount: 700 }, { id });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(inbox.doc.getMap('state').get('counter')).toBe(5);
    destroyAll(outbox.provider, inbox.provider);
  });

  it('an intent written offline is decided once after reconnecting', async () => {
    server = await startTestServer(await storeOverrides(kind));
    const alice = await addUser(server, 'acme');
    const outboxDoc = new Y.Doc();
    const ids = [writeIntent(outboxDoc, 'test.add', { amount: 2 }), writeIntent(outboxDoc, 'test.add', { amount: 3 })];
    const { outbox, inbox } = await openUser(alice).then(async () => {
      // reconnect with the offline doc
      const outbox = connectClient(server, roomNames.outbox('acme', alice.id), alice.token, { doc: outboxDoc });
      const inbox = connectClient(server, roomNames.inbox('acme', alice.id), alice.token);
      await Promise.all([whenSynced(outbox.provider), whenSynced(inbox.provider)]);
      return { outbox, inbox };
    });
    await eventually(() => expect(ids.map((id) => decisionIn(inbox.doc, id)?.status)).toEqual(['accepted', 'accepted']));
    // Reconnecting again re-sends the same intents (sync step 2): still decided once.
    outbox.provider.disconnect();
    outbox.provider.connect();
    await whenSynced(outbox.provider);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(inbox.doc.getMap('state').get('counter')).toBe(5);
    destroyAll(outbox.provider, inbox.provider);
  });

  it('decides late, malformed, unknown and newer-version intents with a reason', async () => {
    server = await startTestServer(await storeOverrides(kind));
    const alice = await addUser(server, 'acme');
    const { outbox, inbox } = await openUser(alice);
    const late = writeIntent(outbox.doc, 'test.echo', {}, { now: Date.now() - 120_000, ttlMs: 1000 });
    const unknown = writeIntent(outbox.doc, 'mystery.thing', {});
    const malformedId = intentId();
    outbox.doc.getMap('intents').set(malformedId, { nonsense: true });
    const newerId = intentId();
    outbox.doc.getMap('intents').set(newerId, { v: 99, id: newerId, kind: 'test.echo', createdAt: Date.now(), expiresAt: Date.now() + 1000, payload: {} });
    const mismatched = intentId();
    writeIntent(outbox.doc, 'test.echo', {}, { id: intentId() });
    outbox.doc.getMap('intents').set(mismatched, { v: 1, id: 'i_not_the_key_1', kind: 'test.echo', createdAt: Date.now(), expiresAt: Date.now() + 60_000, payload: {} });
    await eventually(() => {
      expect(decisionIn(inbox.doc, late)).toMatchObject({ status: 'expired', reason: { code: 'expired' } });
      expect(decisionIn(inbox.doc, unknown)).toMatchObject({ status: 'invalid', reason: { code: 'unknown-kind' } });
      expect(decisionIn(inbox.doc, malformedId)).toMatchObject({ status: 'invalid', reason: { code: 'malformed' } });
      expect(decisionIn(inbox.doc, newerId)?.reason?.message).toMatch(/update the app/);
      expect(decisionIn(inbox.doc, mismatched)).toMatchObject({ status: 'invalid', reason: { message: 'the request id does not match its key' } });
    });
    destroyAll(outbox.provider, inbox.provider);
  });

  it('the user cannot write their inbox; a decision cannot be forged', async () => {
    server = await startTestServer(await storeOverrides(kind));
    const alice = await addUser(server, 'acme');
    const { outbox, inbox } = await openUser(alice);
    inbox.doc.getMap('decisions').set('i_forged_decision', { status: 'accepted' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await storedDoc(roomNames.inbox('acme', alice.id))).getMap('decisions').has('i_forged_decision')).toBe(false);
    destroyAll(outbox.provider, inbox.provider);
  });

  it('once the client deletes a decided intent, its decision moves from the inbox to the history of its month', async () => {
    server = await startTestServer(await storeOverrides(kind));
    const alice = await addUser(server, 'acme');
    const { outbox, inbox } = await openUser(alice);
    const id = writeIntent(outbox.doc, 'test.echo', { n: 1 });
    await eventually(() => expect(decisionIn(inbox.doc, id)).toBeDefined());
    const decidedAt = decisionIn(inbox.doc, id)!.decidedAt;
    outbox.doc.getMap('intents').delete(id);
    await eventually(() => expect(decisionIn(inbox.doc, id)).toBeUndefined());
    const history = await storedDoc(roomNames.history('acme', alice.id, monthKey(decidedAt)));
    expect(history.getMap('decisions').get(id)).toMatchObject({ status: 'accepted', result: { n: 1 } });
    destroyAll(outbox.provider, inbox.provider);
  });

  it('deadlines fire with no client connected and survive a restart', async () => {
    const store = await storeOverrides(kind);
    server = await startTestServer(store);
    const alice = await addUser(server, 'acme');
    const { outbox, inbox } = await openUser(alice);
    writeIntent(outbox.doc, 'test.remind', { delayMs: 200 });
    writeIntent(outbox.doc, 'test.remind', { delayMs: 1500 });
    await eventually(() => expect(server.runner.armedDeadlines()).toHaveLength(2));
    destroyAll(outbox.provider, inbox.provider);
    const inboxRoom = roomNames.inbox('acme', alice.id);
    await eventually(async () => expect((await storedDoc(inboxRoom)).getMap('state').get('reminders')).toBe(1));
    const dataDir = server.dataDir;
    await server.close();
    server = await startTestServer({ dataDir, ...store });
    expect(server.runner.armedDeadlines()).toHaveLength(1);
    await eventually(async () => expect((await storedDoc(inboxRoom)).getMap('state').get('reminders')).toBe(2), 5000);
    expect(server.runner.armedDeadlines()).toHaveLength(0);
  });

});
