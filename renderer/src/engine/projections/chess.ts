/**
 * Chess rooms → RxDB, for the board, lobby, history and leaderboard screens:
 *
 * | projection              | room                         | collection      | record id                     |
 * |-------------------------|------------------------------|-----------------|-------------------------------|
 * | `chessGameProjection`   | `t/{t}/chess/{game}`         | `games`         | the game id                   |
 * | `chessChatProjection`   | game room, `…/players` room  | `chat_messages` | `{room}#{message id}`         |
 * | `chessLobbyProjection`  | `t/{t}/lobby`                | `kv`            | `lobby:{tenant}`              |
 * | `chessStandingsProjection` | `t/{t}/standings/chess`   | `kv`            | `standings:chess:{tenant}`    |
 *
 * A game record's `data` is the whole `ChessGameRecord` (moves with clocks, initial FEN, players,
 * result, termination…) plus `pgn` once the game has ended, so a finished game can be replayed
 * (`fenAt`) and exported offline. Records stay in RxDB after the room is closed: that is the
 * game history.
 */
import { toPgn } from '../../../../shared/domain/chess/pgn.ts';
import {
  CHAT_MAP,
  GAME_MAP,
  LOBBY_GAMES,
  LOBBY_SEEKS,
  readChatMessage,
  readGameRoom,
  readLobby,
  readStandingsEntry,
  STANDINGS_RATINGS,
  type ChatMessage,
  type ChessGameRecord,
  type LiveGameEntry,
  type SeekRecord,
  type StandingsEntry,
} from '../../../../shared/sync/layouts/chess.ts';
import type { HiddenRecord, Projection, ProjectionResult } from '../projection.ts';

/** `data` of a `games` record. */
export interface ChessGameData extends ChessGameRecord {
  /** The game as PGN (Seven Tag Roster, TimeControl, Termination, `[%clk]`), once it has ended. */
  readonly pgn: string | null;
}

/** `data` of the `kv` record `lobby:{tenant}`. */
export interface ChessLobbyData {
  /** Open seeks, oldest first; list those with `visibility: 'lobby'`, link challenges are joined by id. */
  readonly seeks: readonly SeekRecord[];
  /** Live games, newest first (spectators open their rooms). */
  readonly games: readonly LiveGameEntry[];
}

/** `data` of the `kv` record `standings:chess:{tenant}`. */
export interface ChessStandingsData {
  readonly entries: readonly StandingsEntry[];
}

export const chessLobbyId = (tenant: string): string => `lobby:${tenant}`;
export const chessStandingsId = (tenant: string): string => `standings:chess:${tenant}`;
export const chessChatId = (room: string, messageId: string): string => `${room}#${messageId}`;

const NOTHING: ProjectionResult = { upsert: [], remove: [], hidden: [] };

/** When the game last changed, for sorting histories. */
function lastChange(game: ChessGameRecord): number {
  return game.endedAt ?? game.moves.at(-1)?.at ?? game.createdAt;
}

export const chessGameProjection: Projection = {
  name: 'chess-game',
  collection: 'games',
  maps: [GAME_MAP],
  incremental: false,
  project(doc, room, roomName): ProjectionResult {
    if (room.kind !== 'chess-game') return NOTHING;
    const read = readGameRoom(doc);
    if (!read.ok) {
      if (read.error.code === 'no-game') return NOTHING;
      return { upsert: [], remove: [room.game], hidden: [{ room: roomName, key: GAME_MAP, code: read.error.code, message: read.error.message }] };
    }
    const game = read.value;
    const data: ChessGameData = { ...game, pgn: game.status === 'ended' ? toPgn(game) : null };
    return { upsert: [{ id: game.id, room: roomName, updatedAt: lastChange(game), status: game.status, data: data as unknown as Record<string, unknown> }], remove: [], hidden: [] };
  },
};

export const chessChatProjection: Projection = {
  name: 'chess-chat',
  collection: 'chat_messages',
  maps: [CHAT_MAP],
  incremental: true,
  project(doc, room, roomName, keys): ProjectionResult {
    if (room.kind !== 'chess-game' && room.kind !== 'chess-players') return NOTHING;
    const chat = doc.getMap(CHAT_MAP);
    const upsert: Array<{ id: string } & Record<string, unknown>> = [];
    const remove: string[] = [];
    const hidden: HiddenRecord[] = [];
    for (const key of keys ?? chat.keys()) {
      const value = chat.get(key);
      const id = chessChatId(roomName, key);
      if (value === undefined) {
        remove.push(id);
        continue;
      }
      const message = readChatMessage(key, value);
      if (!message.ok) {
        remove.push(id);
        hidden.push({ room: roomName, key: `${CHAT_MAP}.${key}`, code: message.error.code, message: message.error.message });
        continue;
      }
      const data: ChatMessage = message.value;
      upsert.push({ id, room: roomName, updatedAt: data.at, thread: roomName, at: data.at, data: data as unknown as Record<string, unknown> });
    }
    return { upsert, remove, hidden };
  },
};

export const chessLobbyProjection: Projection = {
  name: 'chess-lobby',
  collection: 'kv',
  maps: [LOBBY_SEEKS, LOBBY_GAMES],
  incremental: false,
  project(doc, room, roomName): ProjectionResult {
    if (room.kind !== 'lobby') return NOTHING;
    const lobby = readLobby(doc);
    const data: ChessLobbyData = { seeks: lobby.seeks, games: lobby.games };
    const updatedAt = Math.max(0, ...lobby.seeks.map((seek) => seek.createdAt), ...lobby.games.map((game) => game.createdAt));
    return {
      upsert: [{ id: chessLobbyId(room.tenant), updatedAt, data: data as unknown as Record<string, unknown> }],
      remove: [],
      hidden: lobby.hidden.map(({ key, problem }) => ({ room: roomName, key, code: problem.code, message: problem.message })),
    };
  },
};

export const chessStandingsProjection: Projection = {
  name: 'chess-standings',
  collection: 'kv',
  maps: [STANDINGS_RATINGS],
  incremental: false,
  project(doc, room, roomName): ProjectionResult {
    if (room.kind !== 'standings' || room.board !== 'chess') return NOTHING;
    const entries: StandingsEntry[] = [];
    const hidden: HiddenRecord[] = [];
    for (const [key, value] of doc.getMap(STANDINGS_RATINGS).entries()) {
      const entry = readStandingsEntry(key, value);
      if (entry.ok) entries.push(entry.value);
      else hidden.push({ room: roomName, key: `${STANDINGS_RATINGS}.${key}`, code: entry.error.code, message: entry.error.message });
    }
    entries.sort((a, b) => a.displayName.localeCompare(b.displayName) || a.userId.localeCompare(b.userId));
    const data: ChessStandingsData = { entries };
    return { upsert: [{ id: chessStandingsId(room.tenant), updatedAt: Math.max(0, ...entries.map((entry) => entry.updatedAt)), data: data as unknown as Record<string, unknown> }], remove: [], hidden };
  },
};

/** Every chess projection, for rooms of any chess kind (each ignores the rooms not its own). */
export const chessProjections: readonly Projection[] = [chessGameProjection, chessChatProjection, chessLobbyProjection, chessStandingsProjection];
