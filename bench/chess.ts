/**
 * `npm run bench:chess`: the chess referee under load, G games at once (default 200), each
 * playing a pre-generated random game (legal moves that avoid ending it), in three phases:
 *
 * 0. referee: the chess referee's own work per move (parse, game cache, domain `decide`, the
 *    game-room write), called directly on in-memory rooms: no store, no runner, no sockets.
 * 1. pipeline: the server in this process, no sockets: each move is an update applied to the
 *    mover's outbox room exactly as a connection applies it, and is counted when the decision
 *    is stored (the game room shows it). Moves per second, flat out.
 * 2. network: the real server in its own process, every player a stock y-websocket client on
 *    its outbox, inbox and game room; each answers as soon as the opponent's move reaches it.
 *    Moves per second end to end, and latencies at that saturation.
 * 3. human pace: the same games with thinking time (--think-ms on average): move latency from
 *    one player's client to the other's through the server (p50, p99), and from the outbox
 *    write to the decision in the mover's inbox.
 *
 * Each phase prints the server's CPU time per move, which depends less on the machine's other
 * load than wall-clock rates do. Flags: --games 200 --pipeline-seconds 10 --seconds 20
 * --think-ms 1000 --latency-seconds 15.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Chess } from 'chess.js';
import { WebSocket as WsWebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { startServerProcess } from '../build/scripts/server-process.ts';
import { GAME_MAP, GAME_MOVES } from '../shared/sync/layouts/chess.ts';
import { INBOX_DECISIONS, makeIntent, OUTBOX_INTENTS, type Decision } from '../shared/sync/intents.ts';
import { roomNames } from '../shared/sync/rooms.ts';
import { createUser } from '../sync-server/src/auth/provisioning.ts';
import { configSchema } from '../sync-server/src/config.ts';
import type { Author, DecideContext } from '../sync-server/src/intents/referee.ts';
import { createLogger } from '../sync-server/src/log.ts';
import { createChessReferee } from '../sync-server/src/referees/chess/index.ts';
import type { Room } from '../sync-server/src/rooms/room.ts';
import { startServer } from '../sync-server/src/server.ts';
import { percentile, rssMiB } from './lib/processes.ts';

const { values } = parseArgs({
  options: {
    games: { type: 'string', default: '200' },
    'pipeline-seconds': { type: 'string', default: '10' },
    seconds: { type: 'string', default: '20' },
    'think-ms': { type: 'string', default: '1000' },
    'latency-seconds': { type: 'string', default: '15' },
    plies: { type: 'string', default: '400' },
    /** Run one phase only: `referee`, `pipeline` (e.g. under --cpu-prof) or `network`. */
    only: { type: 'string' },
  },
});
const GAMES = Number(values.games);
const PIPELINE_SECONDS = Number(values['pipeline-seconds']);
const SECONDS = Number(values.seconds);
const THINK_MS = Number(values['think-ms']);
const LATENCY_SECONDS = Number(values['latency-seconds']);
const PLIES = Number(values.plies);
const TENANT = 'default';
const SERVER_ENV = {
  PLAZA_MAX_CONNECTIONS_PER_IP: '100000',
  PLAZA_MAX_CONNECTIONS_PER_USER: '100',
  PLAZA_CHESS_FIRST_MOVE_TIMEOUT_MS: '600000',
  PLAZA_CHESS_DISCONNECT_GRACE_MS: '600000',
};
const now = () => performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** CPU seconds a process has used (user + system), from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function machine(): string {
  return `machine load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`;
}

/** Random games that avoid ending early; games reuse them (game i plays line i mod 20). */
function randomLines(count: number, plies: number): string[][] {
  const lines: string[][] = [];
  for (let line = 0; line < count; line += 1) {
    const chess = new Chess();
    const ucis: string[] = [];
    while (ucis.length < plies && !chess.isGameOver()) {
      const moves = chess.moves();
      let chosen = moves[0]!;
      for (let attempt = 0; attempt < 6; attempt += 1) {
        chosen = moves[Math.floor(Math.random() * moves.length)]!;
        chess.move(chosen);
        const over = chess.isGameOver();
        chess.undo();
        if (!over) break;
      }
      const move = chess.move(chosen);
      ucis.push(`${move.from}${move.to}${move.promotion ?? ''}`);
    }
    lines.push(ucis);
  }
  return lines;
}

let intentCounter = 0;
function nextIntentId(): string {
  intentCounter += 1;
  return `b_${intentCounter.toString(36).padStart(8, '0')}`;
}

function report(label: string, input: { plies: number; seconds: number; serverCpu: number; peer?: number[]; decided?: number[]; extra?: string }): void {
  const fmt = (list: readonly number[] | undefined, p: number) => (list && list.length > 0 ? percentile([...list].sort((a, b) => a - b), p).toFixed(1) : '–').padStart(6);
  const rate = input.plies / input.seconds;
  console.log(`${label.padEnd(11)} ${rate.toFixed(0).padStart(6)} moves/s  (${input.plies} moves in ${input.seconds.toFixed(1)} s${input.extra ?? ''})`);
  if (input.peer) console.log(`${''.padEnd(11)} player→player p50 ${fmt(input.peer, 50)} ms  p99 ${fmt(input.peer, 99)} ms;  outbox→decision in inbox p50 ${fmt(input.decided, 50)} ms  p99 ${fmt(input.decided, 99)} ms`);
  console.log(`${''.padEnd(11)} server CPU ${((input.serverCpu * 1000) / Math.max(1, input.plies)).toFixed(3)} ms per move (${((input.serverCpu / input.seconds) * 100).toFixed(0)}% of a core); ${machine()}`);
}

// Phase 0: the referee alone ---------------------------------------------------------------------

function refereePhase(lines: readonly string[][]): void {
  const config = configSchema.parse({ chessFirstMoveTimeoutMs: 600_000 });
  const logger = createLogger('silent');
  const referee = createChessReferee({ config, store: null as never, directory: null as never, logger, now: Date.now });
  const docs = new Map<string, Y.Doc>();
  const context = (): DecideContext => ({
    now: Date.now(),
    tenant: TENANT,
    logger,
    doc: (room) => docs.get(room) ?? docs.set(room, new Y.Doc()).get(room)!,
    write: (room, change) => {
      const doc = docs.get(room) ?? docs.set(room, new Y.Doc()).get(room)!;
      doc.transact(() => change(doc), 'referee');
    },
    setDeadline: () => undefined,
    clearDeadline: () => undefined,
    ledger: () => undefined,
    rttOf: () => 40,
    isConnected: () => true,
  });
  const decide = (author: Author, kind: string, payload: unknown) => {
    const intent = makeIntent({ id: nextIntentId(), kind, payload, now: Date.now(), ttlMs: 30_000 });
    for (const room of referee.roomsFor(intent, author) as string[]) if (!docs.has(room)) docs.set(room, new Y.Doc());
    return referee.decide(intent, author, context());
  };
  const author = (index: number): Author => ({ tenant: TENANT, user: `p${index}`, role: 'member', name: `Player ${index}`, kind: 'account' });
  const games = Array.from({ length: GAMES }, (_unused, index) => {
    const [white, black] = [author(index * 2), author(index * 2 + 1)];
    const seek = decide(white, 'chess.seek', { timeControl: '30+0', color: 'white', visibility: 'link' });
    const joined = decide(black, 'chess.acceptSeek', { seekId: (seek as { result: { seekId: string } }).result.seekId });
    return { gameId: (joined as { result: { gameId: string } }).result.gameId, white, black, line: lines[index % lines.length]!, ply: 0 };
  });
  const started = now();
  const cpuStart = process.cpuUsage();
  let plies = 0;
  let rejected = 0;
  while (now() - started < 5_000) {
    let moved = false;
    for (const game of games) {
      if (game.ply >= game.line.length) continue;
      const outcome = decide(game.ply % 2 === 0 ? game.white : game.black, 'chess.move', { gameId: game.gameId, expectedPly: game.ply, move: game.line[game.ply]! });
      if (outcome.status !== 'accepted') rejected += 1;
      game.ply += 1;
      plies += 1;
      moved = true;
    }
    if (!moved) break;
  }
  const seconds = (now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  report('referee', { plies, seconds, serverCpu: (cpu.user + cpu.system) / 1e6, extra: `, in memory: no store, runner or sockets${rejected > 0 ? `, ${rejected} rejected` : ''}` });
}

// Phase 1: the pipeline in this process ------------------------------------------------------------

async function pipelinePhase(lines: readonly string[][]): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'plaza-bench-chess-'));
  const config = configSchema.parse({ port: 0, dataDir, webDir: '/nonexistent', logLevel: 'silent', chessFirstMoveTimeoutMs: 600_000, chessDisconnectGraceMs: 600_000 });
  const server = await startServer(config, { logger: createLogger('silent') });
  try {
    const users = await Promise.all(
      Array.from({ length: GAMES * 2 }, (_unused, index) => createUser(server.directory, { tenant: TENANT, displayName: `Player ${index}`, role: 'member', kind: 'account', now: Date.now() })),
    );
    interface Writer {
      readonly user: string;
      readonly room: Room;
      readonly doc: Y.Doc;
      readonly peer: { id: string; isPlaza: boolean; send(): void };
    }
    const writers: Writer[] = await Promise.all(
      users.map(async (user) => {
        const room = await server.rooms.acquire(roomNames.outbox(TENANT, user.id));
        server.rooms.hold(room);
        const inbox = await server.rooms.acquire(roomNames.inbox(TENANT, user.id));
        server.rooms.hold(inbox);
        return { user: user.id, room, doc: new Y.Doc(), peer: { id: `bench-${user.id}`, isPlaza: false, send: () => undefined } };
      }),
    );
    const decisions = new Map<string, (decision: Decision) => void>();
    for (const writer of writers) {
      const inbox = server.rooms.loaded(roomNames.inbox(TENANT, writer.user))!;
      const map = inbox.doc.getMap<Decision>(INBOX_DECISIONS);
      map.observe((event) => {
        for (const key of event.keysChanged) {
          const found = map.get(key);
          if (found) decisions.get(key)?.(found);
          decisions.delete(key);
        }
      });
    }
    /** Writes an intent the way a connection's update would arrive. */
    const write = (writer: Writer, kind: string, payload: unknown): string => {
      const id = nextIntentId();
      let update: Uint8Array | null = null;
      const capture = (data: Uint8Array) => (update = data);
      writer.doc.on('update', capture);
      writer.doc.getMap(OUTBOX_INTENTS).set(id, makeIntent({ id, kind, payload, now: Date.now(), ttlMs: 30_000 }));
      writer.doc.off('update', capture);
      void server.rooms.applyClientUpdate(writer.room, update!, writer.peer, { kind: 'client', user: writer.user, connection: writer.peer.id });
      return id;
    };
    const decided = (id: string) => new Promise<Decision>((resolve) => decisions.set(id, resolve));

    const games = await Promise.all(
      Array.from({ length: GAMES }, async (_unused, index) => {
        const [white, black] = [writers[index * 2]!, writers[index * 2 + 1]!];
        const seek = await decided(write(white, 'chess.seek', { timeControl: '30+0', color: 'white', visibility: 'link' }));
        const joined = await decided(write(black, 'chess.acceptSeek', { seekId: (seek.result as { seekId: string }).seekId }));
        const gameId = (joined.result as { gameId: string }).gameId;
        const room = await server.rooms.acquire(roomNames.chessGame(TENANT, gameId));
        server.rooms.hold(room);
        return { gameId, white, black, room, line: lines[index % lines.length]! };
      }),
    );

    let plies = 0;
    let running = false;
    const kicks = games.map((game) => {
      const map = game.room.doc.getMap(GAME_MAP);
      let seen = 0;
      let sent = 0;
      const next = () => {
        const moves = map.get(GAME_MOVES) as Y.Array<unknown> | undefined;
        const length = moves?.length ?? 0;
        if (running) plies += Math.max(0, length - seen);
        seen = Math.max(seen, length);
        if (!running || length < sent || length >= game.line.length || map.get('status') === 'ended') return;
        sent = length + 1;
        // The next move arrives as I/O would (a macrotask), not inside this decision's promise chain.
        setImmediate(() => write(length % 2 === 0 ? game.white : game.black, 'chess.move', { gameId: game.gameId, expectedPly: length, move: game.line[length]! }));
      };
      map.observeDeep(next);
      return next;
    });
    const cpuStart = process.cpuUsage();
    const started = now();
    running = true;
    for (const kick of kicks) kick();
    await sleep(PIPELINE_SECONDS * 1000);
    running = false;
    const seconds = (now() - started) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    report('pipeline', { plies, seconds, serverCpu: (cpu.user + cpu.system) / 1e6, extra: ', server in this process, no sockets; CPU includes the driver' });
    await server.runner.idle();
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// Phases 2 and 3: the real server, stock clients ------------------------------------------------

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
}

interface Game {
  readonly id: string;
  readonly white: Side;
  readonly black: Side;
  readonly line: readonly string[];
  /** performance.now() when the move of each ply was written. */
  readonly sentAt: number[];
  ended: boolean;
}

async function networkPhases(lines: readonly string[][]): Promise<void> {
  const server = await startServerProcess({ env: SERVER_ENV });
  const syncUrl = `${server.url.replace(/^http/, 'ws')}/sync`;
  const connect = (room: string, token: string): Connection => {
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
  };
  const synced = async (connections: readonly Connection[], what: string) => {
    const started = now();
    while (!connections.every((connection) => connection.provider.synced)) {
      if (now() - started > 120_000) throw new Error(`${what}: only ${connections.filter((c) => c.provider.synced).length}/${connections.length} synced`);
      await sleep(50);
    }
  };
  const pending = new Map<string, (decision: Decision) => void>();
  const send = (side: Side, kind: string, payload: unknown): string => {
    const id = nextIntentId();
    side.outbox.doc.getMap(OUTBOX_INTENTS).set(id, makeIntent({ id, kind, payload, now: Date.now(), ttlMs: 30_000 }));
    return id;
  };
  const decision = (id: string) => new Promise<Decision>((resolve) => pending.set(id, resolve));
  const state = { running: false, thinkMs: 0, plies: 0, peer: [] as number[], decided: [] as number[], rejected: new Map<string, number>() };
  const moveSentAt = new Map<string, number>();
  try {
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
    const sides: Side[] = users.map((user) => ({ user: user.id, token: user.token, outbox: connect(roomNames.outbox(TENANT, user.id), user.token), inbox: connect(roomNames.inbox(TENANT, user.id), user.token), game: null }));
    const setupStarted = now();
    await synced(
      sides.flatMap((side) => [side.outbox, side.inbox]),
      'outboxes and inboxes',
    );
    for (const side of sides) {
      const map = side.inbox.doc.getMap<Decision>(INBOX_DECISIONS);
      map.observe((event) => {
        for (const id of event.keysChanged) {
          const found = map.get(id);
          if (!found) continue;
          pending.get(id)?.(found);
          pending.delete(id);
          const sent = moveSentAt.get(id);
          if (sent === undefined) continue;
          moveSentAt.delete(id);
          if (found.status !== 'accepted') state.rejected.set(found.reason?.code ?? found.status, (state.rejected.get(found.reason?.code ?? found.status) ?? 0) + 1);
          else if (state.running) state.decided.push(now() - sent);
        }
      });
    }
    const games: Game[] = await Promise.all(
      Array.from({ length: GAMES }, async (_unused, index) => {
        const white = sides[index * 2]!;
        const black = sides[index * 2 + 1]!;
        const posted = await decision(send(white, 'chess.seek', { timeControl: '30+0', color: 'white', visibility: 'link' }));
        if (posted.status !== 'accepted') throw new Error(`seek: ${JSON.stringify(posted.reason)}`);
        const joined = await decision(send(black, 'chess.acceptSeek', { seekId: (posted.result as { seekId: string }).seekId }));
        if (joined.status !== 'accepted') throw new Error(`join: ${JSON.stringify(joined.reason)}`);
        return { id: (joined.result as { gameId: string }).gameId, white, black, line: lines[index % lines.length]!, sentAt: [], ended: false };
      }),
    );
    const reactions: Array<() => void> = [];
    for (const game of games) {
      for (const [side, color] of [
        [game.white, 'white'],
        [game.black, 'black'],
      ] as const) {
        side.game = connect(roomNames.chessGame(TENANT, game.id), side.token);
        let seen = 0;
        const map = side.game.doc.getMap(GAME_MAP);
        const react = () => {
          if (map.get('status') === 'ended') game.ended = true;
          const moves = map.get(GAME_MOVES);
          const length = moves instanceof Y.Array ? moves.length : 0;
          const at = now();
          for (let ply = seen; ply < length; ply += 1) {
            // The other colour's plies: this client sees its opponent's move arrive.
            if ((ply % 2 === 0 ? 'white' : 'black') !== color && state.running) {
              state.plies += 1;
              const sent = game.sentAt[ply];
              if (sent !== undefined) state.peer.push(at - sent);
            }
          }
          seen = Math.max(seen, length);
          const toMove = length % 2 === 0 ? 'white' : 'black';
          if (toMove !== color || game.ended || !state.running || length >= game.line.length || game.sentAt[length] !== undefined) return;
          const play = () => {
            if (!state.running || game.ended || game.sentAt[length] !== undefined || seen !== length) return;
            game.sentAt[length] = now();
            moveSentAt.set(send(side, 'chess.move', { gameId: game.id, expectedPly: length, move: game.line[length]! }), game.sentAt[length]!);
          };
          if (state.thinkMs === 0) play();
          else setTimeout(play, state.thinkMs * (0.5 + Math.random()));
        };
        map.observeDeep(react);
        reactions.push(react);
      }
    }
    await synced(
      games.flatMap((game) => [game.white.game!, game.black.game!]),
      'game rooms',
    );
    console.log(`network:    ${users.length} players, ${sides.length * 2 + games.length * 2} WebSocket connections, ${games.length} games set up in ${((now() - setupStarted) / 1000).toFixed(1)} s`);

    const run = async (label: string, thinkMs: number, seconds: number) => {
      Object.assign(state, { thinkMs, plies: 0, peer: [], decided: [], rejected: new Map<string, number>() });
      const cpuBefore = cpuSeconds(server.child.pid!);
      const started = now();
      state.running = true;
      for (const react of reactions) react();
      await sleep(seconds * 1000);
      state.running = false;
      const elapsed = (now() - started) / 1000;
      const rejected = state.rejected.size > 0 ? `, rejected ${JSON.stringify(Object.fromEntries(state.rejected))}` : '';
      report(label, { plies: state.plies, seconds: elapsed, serverCpu: cpuSeconds(server.child.pid!) - cpuBefore, peer: state.peer, decided: state.decided, extra: `, ${games.filter((game) => !game.ended).length}/${games.length} games live${rejected}` });
      // Let the server catch up (every move sent decided) before the next phase measures.
      const drainStarted = now();
      while (moveSentAt.size > 0 && now() - drainStarted < 60_000) await sleep(100);
      await sleep(500);
    };
    await sleep(500);
    await run('network', 0, SECONDS);
    await run('human pace', THINK_MS, LATENCY_SECONDS);
    console.log(`${''.padEnd(11)} server RSS ${rssMiB(server.child.pid!).toFixed(0)} MiB`);
    for (const side of sides) for (const connection of [side.outbox, side.inbox, side.game]) connection?.provider.destroy();
  } finally {
    await server.stop();
  }
}

console.log(`bench:chess — ${GAMES} games at once (Node ${process.version}, ${machine()})`);
const lines = randomLines(20, PLIES);
console.log(`${''.padEnd(11)} ${lines.length} random lines of up to ${PLIES} plies (shortest ${Math.min(...lines.map((line) => line.length))})`);
if (values.only === undefined || values.only === 'referee') refereePhase(lines);
if (values.only === undefined || values.only === 'pipeline') await pipelinePhase(lines);
if (values.only === undefined || values.only === 'network') await networkPhases(lines);
console.log('goals: ≥ 2,000 moves/s with 200 games at once; player→player p50 ≤ 30 ms');
process.exit(0);
