/**
 * Chess players for integration tests: stock y-websocket clients on a user's outbox and inbox
 * (and the lobby or game rooms when asked), writing intents and waiting for their decisions.
 */
import * as Y from 'yjs';
import { WebSocket as WsWebSocket } from 'ws';
import { readGameRoom, type ChessGameRecord, type ChessIntentKind, type ChessIntentPayload } from '../../../../../shared/sync/layouts/chess.ts';
import { INBOX_DECISIONS, type Decision } from '../../../../../shared/sync/intents.ts';
import { roomNames, type Role } from '../../../../../shared/sync/rooms.ts';
import type { ServerConfigInput } from '../../../config.ts';
import type { RunningServer } from '../../../server.ts';
import { WebsocketProvider } from 'y-websocket';
import { addUser, connectClient, ignorePlazaMessages, syncUrl, whenSynced, type ServerAddress, type TestUser } from '../../../test-support/harness.ts';
import { writeIntent } from '../../../test-support/intents.ts';

/** Short waits for tests: clocks of a second, a 2 s disconnect grace. */
export const CHESS_TEST_CONFIG: Partial<ServerConfigInput> = {
  chessMinInitialMs: 1_000,
  chessInitialStepMs: 100,
  chessIncrementStepMs: 100,
  chessDisconnectGraceMs: 2_000,
  chessFirstMoveTimeoutMs: 5_000,
  chessSeekGraceMs: 1_000,
  heartbeatMs: 100,
};

type Client = ReturnType<typeof connectClient>;

export interface ClientOptions {
  /** A WebSocket class for every connection of this player (e.g. one that answers pings late). */
  readonly webSocket?: typeof WsWebSocket;
}

export class Player {
  readonly server: ServerAddress;
  readonly user: TestUser;
  readonly outbox: Client;
  readonly inbox: Client;
  private readonly rooms = new Map<string, Client>();
  private readonly options: ClientOptions;

  private constructor(server: ServerAddress, user: TestUser, options: ClientOptions) {
    this.server = server;
    this.user = user;
    this.options = options;
    this.outbox = this.connect(roomNames.outbox(user.tenant, user.id));
    this.inbox = this.connect(roomNames.inbox(user.tenant, user.id));
  }

  static async join(server: RunningServer, tenant: string, role: Role = 'member', name?: string, options: ClientOptions = {}): Promise<Player> {
    return Player.as(server, await addUser(server, tenant, role, name), options);
  }

  /** An existing user on (maybe another run of, or another process of) a server. */
  static async as(server: ServerAddress, user: TestUser, options: ClientOptions = {}): Promise<Player> {
    const player = new Player(server, user, options);
    await Promise.all([whenSynced(player.outbox.provider), whenSynced(player.inbox.provider)]);
    return player;
  }

  get id(): string {
    return this.user.id;
  }

  private connect(room: string): Client {
    if (!this.options.webSocket) return connectClient(this.server, room, this.user.token);
    const doc = new Y.Doc();
    const provider = new WebsocketProvider(syncUrl(this.server), room, doc, {
      disableBc: true,
      protocols: ['plaza.v1', `plaza.auth.${this.user.token}`],
      WebSocketPolyfill: this.options.webSocket as unknown as typeof WebSocket,
      maxBackoffTime: 500,
    });
    ignorePlazaMessages(provider);
    return { doc, provider };
  }

  /** Opens (or returns) a room this player reads: the lobby, a game, the players' room. */
  async open(room: string): Promise<Y.Doc> {
    let client = this.rooms.get(room);
    if (!client) {
      client = this.connect(room);
      this.rooms.set(room, client);
    }
    await whenSynced(client.provider);
    return client.doc;
  }

  /** Closes this player's connection to a room (the doc is kept). */
  close(room: string): void {
    const client = this.rooms.get(room);
    if (!client) return;
    client.provider.destroy();
    this.rooms.delete(room);
  }

  lobby(): Promise<Y.Doc> {
    return this.open(roomNames.lobby(this.user.tenant));
  }

  game(gameId: string): Promise<Y.Doc> {
    return this.open(roomNames.chessGame(this.user.tenant, gameId));
  }

  send<K extends ChessIntentKind>(kind: K, payload: ChessIntentPayload<K>, options: { id?: string; ttlMs?: number; now?: number } = {}): string {
    return writeIntent(this.outbox.doc, kind, payload, options);
  }

  /** Waits for the decision on one of this player's intents. */
  decision(id: string, timeoutMs = 10_000): Promise<Decision> {
    const decisions = this.inbox.doc.getMap<Decision>(INBOX_DECISIONS);
    const found = decisions.get(id);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        decisions.unobserve(observer);
        reject(new Error(`no decision on ${id} within ${timeoutMs} ms`));
      }, timeoutMs);
      const observer = () => {
        const decision = decisions.get(id);
        if (!decision) return;
        clearTimeout(timer);
        decisions.unobserve(observer);
        resolve(decision);
      };
      decisions.observe(observer);
    });
  }

  async act<K extends ChessIntentKind>(kind: K, payload: ChessIntentPayload<K>, options: { id?: string; ttlMs?: number; now?: number } = {}): Promise<Decision> {
    return this.decision(this.send(kind, payload, options));
  }

  destroy(): void {
    for (const client of [this.outbox, this.inbox, ...this.rooms.values()]) {
      client.provider.destroy();
      client.doc.destroy();
    }
    this.rooms.clear();
  }
}

/** The game record in a doc; throws if there is none. */
export function record(doc: Y.Doc): ChessGameRecord {
  const read = readGameRoom(doc);
  if (!read.ok) throw new Error(read.error.message);
  return read.value;
}

/** A room's content as stored (a client that never held it). */
export async function storedDoc(server: RunningServer, room: string): Promise<Y.Doc> {
  const doc = new Y.Doc();
  const stored = await server.store.rooms.load(room);
  for (const update of [stored.snapshot, ...stored.updates.map((entry) => entry.data)]) if (update) Y.applyUpdate(doc, update);
  return doc;
}

export function storedGame(server: RunningServer, tenant: string, gameId: string): Promise<ChessGameRecord> {
  return storedDoc(server, roomNames.chessGame(tenant, gameId)).then(record);
}

export interface NewGameOptions {
  readonly timeControl?: ChessIntentPayload<'chess.seek'>['timeControl'];
  readonly rated?: boolean;
  readonly fen?: string;
}

/** `white` posts a challenge link as White, `black` joins it: the game id. */
export async function startGame(white: Player, black: Player, options: NewGameOptions = {}): Promise<string> {
  const seek = await white.act('chess.seek', {
    timeControl: options.timeControl ?? '5+0',
    color: 'white',
    rated: options.rated ?? false,
    visibility: 'link',
    ...(options.fen === undefined ? {} : { fen: options.fen }),
  });
  if (seek.status !== 'accepted') throw new Error(`seek refused: ${JSON.stringify(seek.reason)}`);
  const { seekId } = seek.result as { seekId: string };
  const joined = await black.act('chess.acceptSeek', { seekId });
  if (joined.status !== 'accepted') throw new Error(`join refused: ${JSON.stringify(joined.reason)}`);
  return (joined.result as { gameId: string }).gameId;
}

/** Plays UCI moves alternately from `first` and `second`, each accepted before the next. */
export async function playMoves(first: Player, second: Player, gameId: string, ucis: readonly string[], startPly = 0): Promise<void> {
  for (const [index, uci] of ucis.entries()) {
    const mover = index % 2 === 0 ? first : second;
    const decision = await mover.act('chess.move', { gameId, expectedPly: startPly + index, move: uci });
    if (decision.status !== 'accepted') throw new Error(`ply ${startPly + index + 1} ${uci} refused: ${JSON.stringify(decision.reason)}`);
  }
}

/** A WebSocket that answers the server's pings `delayMs` late: a player with a slow network. */
export function slowPongWebSocket(delayMs: number): typeof WsWebSocket {
  return class SlowPong extends WsWebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { autoPong: false });
      this.on('ping', (data: Buffer) => {
        setTimeout(() => {
          if (this.readyState === WsWebSocket.OPEN) this.pong(data);
        }, delayMs);
      });
    }
  } as unknown as typeof WsWebSocket;
}
