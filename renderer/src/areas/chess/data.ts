/**
 * What the chess screens read and send. Reads come from RxDB (the projections of the lobby,
 * game, chat and standings rooms); writes are intents in the player's outbox, resolved with the
 * referee's decision. Rooms are opened by the screens that show them (`useRooms`).
 */
import { useEffect, useState, useSyncExternalStore } from 'react';
import { map } from 'rxjs';
import type { ChatMessage, ChessIntentKind, ChessIntentPayload } from '../../../../shared/sync/layouts/chess.ts';
import type { Decision } from '../../../../shared/sync/intents.ts';
import { roomNames } from '../../../../shared/sync/rooms.ts';
import { useEngine, useObservable } from '../../app/RuntimeContext.tsx';
import type { EngineHandle } from '../../app/runtime.ts';
import { chessLobbyId, type ChessGameData, type ChessLobbyData } from '../../engine/projections/chess.ts';
import { roomPeople } from './model/viewers.ts';

/** Lobby actions and game commands are worth nothing after this long (a move has its own). */
export const CHESS_ACTION_TTL_MS = 60_000;

function plain<T>(row: { toJSON(): { data: unknown } }): T {
  return row.toJSON().data as T;
}

/** Sends a chess intent and resolves with the referee's decision. */
export async function sendChessIntent<K extends ChessIntentKind>(engine: EngineHandle, kind: K, payload: ChessIntentPayload<K>, ttlMs = CHESS_ACTION_TTL_MS): Promise<Decision> {
  const id = await engine.client.intents.submit(kind, payload, { ttlMs });
  return engine.client.intents.decision(id);
}

export function lobbyRoom(engine: EngineHandle): string {
  return roomNames.lobby(engine.identity.tenant.id);
}

export function gameRoom(engine: EngineHandle, gameId: string): string {
  return roomNames.chessGame(engine.identity.tenant.id, gameId);
}

export function playersRoom(engine: EngineHandle, gameId: string): string {
  return roomNames.chessPlayers(engine.identity.tenant.id, gameId);
}

/** The lobby as the projection wrote it; undefined while loading, empty before the first sync. */
export function useLobby(): ChessLobbyData | undefined {
  return useObservable(
    (engine) =>
      engine.db.kv
        .findOne(chessLobbyId(engine.identity.tenant.id))
        .$.pipe(map((row) => (row ? plain<ChessLobbyData>(row) : { seeks: [], games: [] }))),
    [],
  );
}

/** One game's record on this device: undefined while loading, null when there is none (yet). */
export function useGame(gameId: string | null): ChessGameData | null | undefined {
  return useObservable((engine) => (gameId === null ? null : engine.db.games.findOne(gameId).$.pipe(map((row) => (row ? plain<ChessGameData>(row) : null)))), [gameId]);
}

/** Finished games on this device, newest first: the history, readable offline. */
export function useFinishedGames(): readonly ChessGameData[] | undefined {
  return useObservable(
    (engine) =>
      engine.db.games
        // `status` is a field of this collection's schema (collections.ts) beyond the shared record type.
        .find({ selector: { status: 'ended' } as never, sort: [{ updatedAt: 'desc' }] })
        .$.pipe(map((rows) => rows.map((row) => plain<ChessGameData>(row)))),
    [],
  );
}

/** A chat room's messages (the game room for spectators, the players' room), oldest first. */
export function useChessChat(room: string | null): readonly ChatMessage[] | undefined {
  return useObservable(
    (engine) =>
      room === null
        ? null
        : engine.db.chat_messages
            .find({ selector: { thread: room } as never, sort: [{ at: 'asc' } as never] })
            .$.pipe(map((rows) => rows.map((row) => plain<ChatMessage>(row)))),
    [room],
  );
}

/**
 * People in a room as the server last counted them (players included), re-read every second:
 * the server sends a new count whenever someone joins or leaves. Null while this device is not
 * connected to the room (the replica drops its count then, since it would be stale).
 */
export function useRoomPeople(room: string | null): number | null {
  const engine = useEngine();
  const [count, setCount] = useState<number | null>(null);
  useEffect(() => {
    if (!engine || room === null) return undefined;
    const read = () => setCount(roomPeople(engine.client.replica(room)?.info ?? null));
    read();
    const timer = setInterval(read, 1000);
    return () => clearInterval(timer);
  }, [engine, room]);
  return count;
}

/** Server time now (local clock plus the offset from the time messages), re-read every `everyMs`. */
export function useServerNow(everyMs: number, active = true): number {
  const engine = useEngine();
  const read = () => engine?.client.serverNow() ?? Date.now();
  const [now, setNow] = useState(read);
  useEffect(() => {
    if (!active) return undefined;
    const tick = () => setNow(engine?.client.serverNow() ?? Date.now());
    // At once too: a countdown that starts must not show the time it was last read.
    const first = setTimeout(tick, 0);
    const timer = setInterval(tick, everyMs);
    return () => {
      clearTimeout(first);
      clearInterval(timer);
    };
  }, [engine, everyMs, active]);
  return now;
}

/*
 * Seeks this device posted in this page's life. The creator of a seek learns its game from the
 * lobby directory's `fromSeek`; the lobby projection may skip the moment the seek was listed
 * when pairing is quick, so the ids from the decisions are remembered too.
 */
const postedSeeks = new Set<string>();
const postedListeners = new Set<() => void>();
let postedVersion = 0;

export function rememberPostedSeek(seekId: string): void {
  if (postedSeeks.has(seekId)) return;
  postedSeeks.add(seekId);
  postedVersion += 1;
  for (const listener of postedListeners) listener();
}

export function isPostedSeek(seekId: string): boolean {
  return postedSeeks.has(seekId);
}

export function usePostedSeeksVersion(): number {
  return useSyncExternalStore(
    (listener) => {
      postedListeners.add(listener);
      return () => postedListeners.delete(listener);
    },
    () => postedVersion,
  );
}
