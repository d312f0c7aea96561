/**
 * Load generator for bench:sync, in its own process: N rooms × C clients (stock y-websocket
 * providers), a fixed total update rate spread over random clients, fan-out latency measured on
 * every receiving client (same process, so one clock). Reads its job as JSON on stdin, prints
 * results as one JSON line.
 */
import { WebSocket as WsWebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';

interface Job {
  readonly syncUrl: string;
  /** Several server processes: client i of each room connects to syncUrls[i mod n] (default: syncUrl). */
  readonly syncUrls?: readonly string[];
  readonly rooms: ReadonlyArray<{ readonly name: string; readonly token: string | null }>;
  readonly clientsPerRoom: number;
  readonly updatesPerSecond: number;
  readonly seconds: number;
  readonly plaza: boolean;
}

const job = JSON.parse(await new Promise<string>((resolve) => {
  let text = '';
  process.stdin.on('data', (chunk: Buffer) => (text += chunk.toString()));
  process.stdin.on('end', () => resolve(text));
})) as Job;

interface Client {
  readonly doc: Y.Doc;
  readonly provider: WebsocketProvider;
  readonly room: number;
}

const latencies: number[] = [];
let received = 0;
const clients: Client[] = [];
const now = () => performance.now();

for (let room = 0; room < job.rooms.length; room += 1) {
  const { name, token } = job.rooms[room]!;
  for (let index = 0; index < job.clientsPerRoom; index += 1) {
    const doc = new Y.Doc();
    const urls = job.syncUrls && job.syncUrls.length > 0 ? job.syncUrls : [job.syncUrl];
    const provider = new WebsocketProvider(urls[(room + index) % urls.length]!, name, doc, {
      disableBc: true,
      WebSocketPolyfill: WsWebSocket as unknown as typeof WebSocket,
      ...(job.plaza && token ? { protocols: ['plaza.v1', `plaza.auth.${token}`] } : {}),
    });
    for (const type of [100, 101, 102, 103]) provider.messageHandlers[type] = () => undefined;
    const stamps = doc.getMap<number>('stamps');
    stamps.observe((event) => {
      if (event.transaction.origin !== provider) return;
      const at = now();
      for (const key of event.keysChanged) {
        const sent = stamps.get(key);
        if (sent === undefined) continue;
        latencies.push(at - sent);
        received += 1;
      }
    });
    clients.push({ doc, provider, room });
  }
}

const connectStart = now();
await new Promise<void>((resolve, reject) => {
  const check = setInterval(() => {
    if (clients.every((client) => client.provider.synced)) {
      clearInterval(check);
      resolve();
    } else if (now() - connectStart > 120_000) {
      clearInterval(check);
      reject(new Error(`only ${clients.filter((client) => client.provider.synced).length}/${clients.length} clients synced`));
    }
  }, 50);
});
const connectMs = now() - connectStart;

let sent = 0;
const totalUpdates = job.updatesPerSecond * job.seconds;
const intervalMs = 1000 / job.updatesPerSecond;
const started = now();
await new Promise<void>((resolve) => {
  const tick = () => {
    const due = Math.min(totalUpdates, Math.floor((now() - started) / intervalMs) + 1);
    while (sent < due) {
      const client = clients[Math.floor(Math.random() * clients.length)]!;
      client.doc.getMap<number>('stamps').set(`${sent}`, now());
      sent += 1;
    }
    if (sent >= totalUpdates) resolve();
    else setTimeout(tick, Math.max(1, intervalMs / 2));
  };
  tick();
});
const expected = sent * (job.clientsPerRoom - 1);
const drainStart = now();
while (received < expected && now() - drainStart < 10_000) await new Promise((resolve) => setTimeout(resolve, 50));
for (const client of clients) client.provider.destroy();
latencies.sort((a, b) => a - b);
const pick = (p: number) => latencies[Math.min(latencies.length - 1, Math.max(0, Math.ceil((p / 100) * latencies.length) - 1))] ?? Number.NaN;
process.stdout.write(
  `${JSON.stringify({ clients: clients.length, sent, expected, received, dropped: expected - received, p50: pick(50), p99: pick(99), max: latencies.at(-1) ?? Number.NaN, connectMs, seconds: (now() - started) / 1000 })}\n`,
);
process.exit(0);
