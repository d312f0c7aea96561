/**
 * `npm run bench:chess`: the chess referee under load. The real server runs in its own process;
 * this process is the load generator: G games at once (default 200), each player a stock
 * y-websocket client on its outbox, inbox and game room, playing random legal moves.
 *
 * Phase 1 (throughput): no thinking time, every player answers as soon as the opponent's move
 * reaches it. Prints moves per second (intent written → decided, stored and seen by both),
 * and the latencies under that saturation.
 * Phase 2 (latency): the same games with human-like thinking time (--think-ms on average);
 * prints move latency from one player's client to the other's through the server (p50, p99),
 * and from the outbox write to the decision in the mover's inbox.
 *
 * Flags: --games 200 --seconds 20 --think-ms 1000 --latency-seconds 15
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Chess, type Move } from 'chess.js';
import { WebSocket as WsWebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { startServerProcess } from '../build/scripts/server-process.ts';
import { GAME_MAP, GAME_MOVES } from '../shared/sync/layouts/chess.ts';
import { INBOX_DECISIONS, makeIntent, OUTBOX_INTENTS, type Decision } from '../shared/sync/intents.ts';
import { roomNames } from '../shared/sync/rooms.ts';
import { percentile, rssMiB } from './lib/processes.ts';

const { values } = parseArgs({
  options: {
    games: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '20' },
    'think-ms': { type: 'string', default: '1000' },
    'latency-seconds': { type: 'string', default: '15' },
    /** A server already running (e.g. under a profiler), with its data directory for the operator key. */
    'server-url': { type: 'string' },
    'data-dir': { type: 'string' },
    'server-pid': { type: 'string' },
  },
});
const GAMES = Number(values.games);
const SECONDS = Number(values.seconds);
const THINK_MS = Number(values['think-ms']);
const LATENCY_SECONDS = Number(values['latency-seconds']);
const TENANT = 'default';
const now = () => performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Connection {
  readonly doc: Y.Doc;
  readonly provider: WebsocketProvider;
}

interface Side {
  readonly user: string;
  readonly token: string;
  readonly outbox: Connection;
  readonly inbox: Connection;
  game: Connection | null;
  /** Plies this side's game room has shown so far. */
  seen: number;
}

interface Game {
  readonly id: string;
  readonly white: Side;
  readonly black: Side;
  readonly chess: Chess;
  /** performance.now() when the move of each ply was written. */
  readonly sentAt: number[];
  /** Plies played on `chess`. */
  applied: number;
  ended: boolean;
}

let syncUrl = '';
let intentCounter = 0;
const pendingDecisions = new Map<string, (decision: Decision) => void>();

function connect(room: string, token: string): Connection {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(syncUrl, room, doc, {
    disableBc: true,
    protocols: ['plaza.v1', `plaza.auth.${token}`],
    WebSocketPolyfill: WsWebSocket as unknown as typeof WebSocket,
    maxBackoffTime: 1000,
  });
  // Plaza's own messages (time, room info): this client does not need them.
  for (const type of [100, 101, 102, 103]) provider.messageHandlers[type] = () => undefined;
  return { doc, provider };
}

async function synced(connections: readonly Connection[], what: string): Promise<void> {
  const started = now();
  while (!connections.every((connection) => connection.provider.synced)) {
    if (now() - started > 120_000) throw new Error(`${what}: only ${connections.filter((c) => c.provider.synced).length}/${connections.length} synced`);
    await sleep(50);
  }
}

function send(side: Side, kind: string, payload: unknown): string {
  intentCounter += 1;
  const id = `b_${intentCounter.toString(36).padStart(8, '0')}`;
  side.outbox.doc.getMap(OUTBOX_INTENTS).set(id, makeIntent({ id, kind, payload, now: Date.now(), ttlMs: 30_000 }));
  return id;
}

function decision(id: string): Promise<Decision> {
  return new Promise((resolve) => pendingDecisions.set(id, resolve));
}

function watchInbox(side: Side, onDecision: (id: string, decision: Decision) => void): void {
  const decisions = side.inbox.doc.getMap<Decision>(INBOX_DECISIONS);
  decisions.observe((event) => {
    for (const key of event.keysChanged) {
      const found = decisions.get(key);
      if (!found) continue;
      onDecision(key, found);
      pendingDecisions.get(key)?.(found);
      pendingDecisions.delete(key);
    }
  });
}

function uciOf(move: Move): string {
  return `${move.from}${move.to}${move.promotion ?? ''}`;
}

/** A random legal move that does not end the game, when there is one (games should last). */
function pickMove(chess: Chess): string {
  const moves = chess.moves({ verbose: true });
  for (let attempt = 0; attempt < 6; attempt += 1) {
    const move = moves[Math.floor(Math.random() * moves.length)]!;
    chess.move(move);
    const over = chess.isGameOver();
    chess.undo();
    if (!over) return uciOf(move);
  }
  return uciOf(moves[0]!);
}

// Measurements -----------------------------------------------------------------------------------

const state = {
  running: false,
  thinkMs: 0,
  /** Accepted plies seen (by the mover's opponent) while measuring. */
  plies: 0,
  peerLatencies: [] as number[],
  decisionLatencies: [] as number[],
  rejected: new Map<string, number>(),
};

function resetMeasurements(): void {
  state.plies = 0;
  state.peerLatencies = [];
  state.decisionLatencies = [];
  state.rejected = new Map();
}

const moveSentAt = new Map<string, number>();

function onGameChange(game: Game, side: Side, color: 'white' | 'black'): void {
  const map = side.game!.doc.getMap(GAME_MAP);
  if (map.get('status') === 'ended') game.ended = true;
  const moves = map.get(GAME_MOVES);
  if (!(moves instanceof Y.Array)) return;
  const length = moves.length;
  const at = now();
  for (let ply = side.seen; ply < length; ply += 1) {
    // Plies of the other colour: this client sees its opponent's move.
    const mover = ply % 2 === 0 ? 'white' : 'black';
    if (mover !== color && state.running) {
      state.plies += 1;
      const sent = game.sentAt[ply];
      if (sent !== undefined) state.peerLatencies.push(at - sent);
    }
    if (game.applied === ply) {
      const { uci } = moves.get(ply) as { uci: string };
      game.chess.move({ from: uci.slice(0, 2), to: uci.slice(2, 4), ...(uci.length > 4 ? { promotion: uci[4] } : {}) });
      game.applied += 1;
    }
  }
  side.seen = length;
  const toMove = length % 2 === 0 ? 'white' : 'black';
  if (toMove !== color || game.ended || !state.running || game.sentAt[length] !== undefined) return;
  const play = () => {
    if (!state.running || game.ended || game.sentAt[length] !== undefined || side.seen !== length) return;
    game.sentAt[length] = now();
    const id = send(side, 'chess.move', { gameId: game.id, expectedPly: length, move: pickMove(game.chess) });
    moveSentAt.set(id, game.sentAt[length]!);
  };
  if (state.thinkMs === 0) play();
  else setTimeout(play, state.thinkMs * (0.5 + Math.random()));
}

// Setup ------------------------------------------------------------------------------------------

console.log(`bench:chess — ${GAMES} games at once, ${SECONDS} s flat out, then ${LATENCY_SECONDS} s at ~${THINK_MS} ms per move (Node ${process.version})`);
export const BENCH_SERVER_ENV = {
  PLAZA_MAX_CONNECTIONS_PER_IP: '100000',
  PLAZA_MAX_CONNECTIONS_PER_USER: '100',
  PLAZA_CHESS_FIRST_MOVE_TIMEOUT_MS: '600000',
  PLAZA_CHESS_DISCONNECT_GRACE_MS: '600000',
};
const server =
  values['server-url'] !== undefined && values['data-dir'] !== undefined
    ? { url: values['server-url'], dataDir: values['data-dir'], child: { pid: values['server-pid'] === undefined ? undefined : Number(values['server-pid']) }, stop: async () => null }
    : await startServerProcess({ env: BENCH_SERVER_ENV });

/** CPU seconds a process has used (user + system), from /proc. */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
try {
  syncUrl = `${server.url.replace(/^http/, 'ws')}/sync`;
  const key = readFileSync(path.join(server.dataDir, 'keys/operator.key'), 'utf8').trim();
  const call = async (route: string, body: unknown) => {
    const response = await fetch(`${server.url}${route}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`${route}: ${response.status} ${await response.text()}`);
    return (await response.json()) as Record<string, unknown>;
  };
  const users: Array<{ id: string; token: string }> = [];
  for (let start = 0; start < GAMES * 2; start += 50) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(50, GAMES * 2 - start) }, async (_unused, offset) => {
        const { user } = (await call('/api/admin/users', { tenant: TENANT, displayName: `Player ${start + offset}` })) as { user: { id: string } };
        const { token } = (await call('/api/admin/tokens', { tenant: TENANT, user: user.id, ttlSeconds: 7200 })) as { token: string };
        return { id: user.id, token };
      }),
    );
    users.push(...batch);
  }

  const sides: Side[] = users.map((user) => ({
    user: user.id,
    token: user.token,
    outbox: connect(roomNames.outbox(TENANT, user.id), user.token),
    inbox: connect(roomNames.inbox(TENANT, user.id), user.token),
    game: null,
    seen: 0,
  }));
  const connectStarted = now();
  await synced(
    sides.flatMap((side) => [side.outbox, side.inbox]),
    'outboxes and inboxes',
  );
  for (const side of sides) {
    watchInbox(side, (id, decided) => {
      const sent = moveSentAt.get(id);
      if (sent === undefined) return;
      moveSentAt.delete(id);
      if (decided.status !== 'accepted') state.rejected.set(decided.reason?.code ?? decided.status, (state.rejected.get(decided.reason?.code ?? decided.status) ?? 0) + 1);
      else if (state.running) state.decisionLatencies.push(now() - sent);
    });
  }

  // Games: White posts a challenge link, Black joins it.
  const games: Game[] = await Promise.all(
    Array.from({ length: GAMES }, async (_unused, index) => {
      const white = sides[index * 2]!;
      const black = sides[index * 2 + 1]!;
      const posted = await decision(send(white, 'chess.seek', { timeControl: '30+0', color: 'white', visibility: 'link' }));
      if (posted.status !== 'accepted') throw new Error(`seek: ${JSON.stringify(posted.reason)}`);
      const joined = await decision(send(black, 'chess.acceptSeek', { seekId: (posted.result as { seekId: string }).seekId }));
      if (joined.status !== 'accepted') throw new Error(`join: ${JSON.stringify(joined.reason)}`);
      return { id: (joined.result as { gameId: string }).gameId, white, black, chess: new Chess(), sentAt: [], applied: 0, ended: false };
    }),
  );
  for (const game of games) {
    for (const [side, color] of [
      [game.white, 'white'],
      [game.black, 'black'],
    ] as const) {
      side.game = connect(roomNames.chessGame(TENANT, game.id), side.token);
      side.game.doc.getMap(GAME_MAP).observeDeep(() => onGameChange(game, side, color));
    }
  }
  await synced(
    games.flatMap((game) => [game.white.game!, game.black.game!]),
    'game rooms',
  );
  console.log(`setup: ${users.length} players, ${sides.length * 2 + games.length * 2} connections, ${games.length} games in ${((now() - connectStarted) / 1000).toFixed(1)} s`);

  const kick = () => {
    for (const game of games) {
      onGameChange(game, game.white, 'white');
      onGameChange(game, game.black, 'black');
    }
  };
  let cpuAtStart = { server: 0, load: 0 };
  const markCpu = () => {
    cpuAtStart = { server: cpuSeconds(server.child.pid), load: process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6 };
  };
  const report = (label: string, seconds: number) => {
    const serverCpu = cpuSeconds(server.child.pid) - cpuAtStart.server;
    const usage = process.cpuUsage();
    const loadCpu = usage.user / 1e6 + usage.system / 1e6 - cpuAtStart.load;
    const peer = [...state.peerLatencies].sort((a, b) => a - b);
    const decided = [...state.decisionLatencies].sort((a, b) => a - b);
    const fmt = (list: number[], p: number) => percentile(list, p).toFixed(1).padStart(7);
    console.log(
      `${label.padEnd(12)} ${(state.plies / seconds).toFixed(0).padStart(6)} moves/s   ` +
        `player→player p50 ${fmt(peer, 50)} ms  p99 ${fmt(peer, 99)} ms   ` +
        `outbox→decision in inbox p50 ${fmt(decided, 50)} ms  p99 ${fmt(decided, 99)} ms   ` +
        `(${state.plies} moves, ${games.filter((game) => !game.ended).length}/${games.length} games live` +
        `${state.rejected.size > 0 ? `, rejected ${JSON.stringify(Object.fromEntries(state.rejected))}` : ''})`,
    );
    console.log(
      `${''.padEnd(12)} server CPU ${((serverCpu * 1000) / Math.max(1, state.plies)).toFixed(3)} ms per move (${((serverCpu / seconds) * 100).toFixed(0)}% of a core), ` +
        `load generator CPU ${((loadCpu / seconds) * 100).toFixed(0)}% of a core, machine load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`,
    );
  };

  // Phase 1: flat out.
  await sleep(500);
  resetMeasurements();
  state.thinkMs = 0;
  state.running = true;
  markCpu();
  let started = now();
  kick();
  await sleep(SECONDS * 1000);
  state.running = false;
  report('throughput', (now() - started) / 1000);
  await sleep(1000);

  // Phase 2: thinking players.
  resetMeasurements();
  state.thinkMs = THINK_MS;
  state.running = true;
  markCpu();
  started = now();
  kick();
  await sleep(LATENCY_SECONDS * 1000);
  state.running = false;
  report('latency', (now() - started) / 1000);
  console.log(`server RSS ${server.child.pid === undefined ? '?' : rssMiB(server.child.pid).toFixed(0)} MiB; goals: ≥ 2,000 moves/s flat out, player→player p50 ≤ 30 ms at human pace`);
  for (const side of sides) for (const connection of [side.outbox, side.inbox, side.game]) connection?.provider.destroy();
} finally {
  await server.stop();
}
process.exit(0);
