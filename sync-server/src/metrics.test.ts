import { afterEach, describe, expect, it } from 'vitest';
import { roomNames } from '../../shared/sync/rooms.ts';
import type { RunningServer } from './server.ts';
import { addUser, connectClient, destroyAll, eventually, startTestServer, whenSynced } from './test-support/harness.ts';
import { writeIntent } from './test-support/intents.ts';

let server: RunningServer;
afterEach(async () => {
  await server?.close();
});

function metricValue(text: string, name: string, labels = ''): number {
  const line = text.split('\n').find((entry) => entry.startsWith(`${name}${labels}`) && !entry.startsWith('#'));
  return line ? Number(line.split(' ').at(-1)) : Number.NaN;
}

describe('/metrics', () => {
  it('reports connections, rooms, updates, dropped writes, store latency and intents in Prometheus format', async () => {
    server = await startTestServer();
    const admin = await addUser(server, 'acme', 'admin');
    const member = await addUser(server, 'acme', 'member');
    const writer = connectClient(server, roomNames.catalog('acme'), admin.token);
    const reader = connectClient(server, roomNames.catalog('acme'), member.token);
    const outbox = connectClient(server, roomNames.outbox('acme', member.id), member.token);
    await Promise.all([whenSynced(writer.provider), whenSynced(reader.provider), whenSynced(outbox.provider)]);
    writer.doc.getMap('x').set('a', 1);
    reader.doc.getMap('x').set('b', 2);
    writeIntent(outbox.doc, 'test.echo', {});
    await eventually(async () => {
      const text = await (await fetch(`${server.url}/metrics`)).text();
      expect(metricValue(text, 'plaza_connections', '{client="plaza"}')).toBe(3);
      expect(metricValue(text, 'plaza_rooms_loaded')).toBeGreaterThanOrEqual(2);
      expect(metricValue(text, 'plaza_updates_in_total')).toBeGreaterThanOrEqual(2);
      expect(metricValue(text, 'plaza_dropped_writes_total', '{reason="read-only"}')).toBe(1);
      expect(metricValue(text, 'plaza_intents_decided_total', '{referee="test",status="accepted"}')).toBe(1);
      expect(metricValue(text, 'plaza_intents_pending')).toBe(0);
      expect(text).toMatch(/plaza_store_latency_seconds_bucket\{le="0\.001",operation="append"\} \d+/);
    });
    destroyAll(writer.provider, reader.provider, outbox.provider);
  });
});
