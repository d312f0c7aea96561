/**
 * The chess referee: lobby (seeks, quick pairing, challenge links), games (moves, clocks, draws,
 * resignations, aborts, flags, first-move timeouts, disconnect forfeits), rematches, chat and
 * ratings. Rules are the domain's (`shared/domain/chess`); rooms are laid out as in
 * `shared/sync/layouts/chess.ts`. See README.md beside this file for the wiring.
 */
import * as Y from 'yjs';
import { CHESS_INTENT_KINDS, GAME_MAP, isChessIntentKind, parseChessIntent, type ChessIntentKind, type ParsedChessIntent } from '../../../../shared/sync/layouts/chess.ts';
import { roomNames, type AccessFacts } from '../../../../shared/sync/rooms.ts';
import { colorOf } from '../../../../shared/domain/chess/game.ts';
import type { PlayerCommand } from '../../../../shared/domain/chess/commands.ts';
import type { Author, Deadline, Outcome, Referee } from '../../intents/referee.ts';
import type { IntentEnvelope } from '../../../../shared/sync/intents.ts';
import type { RefereeDeps } from '../index.ts';
import { ChatLimiter, postChat } from './chat.ts';
import type { ChessCore } from './core.ts';
import { GameBook, type GameDeadlinePayload, type ResumePayload } from './game-book.ts';
import { deadlineIds, gameIdFor, messageIdFor, seekIdFor } from './ids.ts';
import { acceptSeek, cancelSeek, lobbyPresence, mayPairAtOnce, postSeek, seekDue, type SeekDeadlinePayload } from './lobby.ts';
import { LobbyMirror } from './lobby-room.ts';
import { rejected } from './outcome.ts';
import { clockDue, declineRematch, disconnectDue, finishDue, gamePresence, offerOrAcceptRematch, playCommand, resumeDue } from './play.ts';
import { chessSettings } from './settings.ts';
import { inTx, type ChessTx } from './tx.ts';

export const CHESS_REFEREE = 'chess';

const COMMANDS = {
  'chess.move': 'move',
  'chess.resign': 'resign',
  'chess.offerDraw': 'offerDraw',
  'chess.acceptDraw': 'acceptDraw',
  'chess.declineDraw': 'declineDraw',
  'chess.abort': 'abort',
} as const satisfies Partial<Record<ChessIntentKind, PlayerCommand['type']>>;

type CommandKind = keyof typeof COMMANDS;

function isCommandKind(kind: ChessIntentKind): kind is CommandKind {
  return Object.hasOwn(COMMANDS, kind);
}

/** A game room with the lobby and the standings: what starting or finishing a game writes. */
function gameRooms(tenant: string, gameId: string): string[] {
  return [roomNames.chessGame(tenant, gameId), roomNames.lobby(tenant), roomNames.standings(tenant, 'chess')];
}

/** How many parsed payloads `roomsFor` keeps for `decide` (a bound, should decide never come). */
const PARSED_CACHE = 1_000;

function payloadOf<T>(deadline: Deadline, key: string): T | null {
  const payload = deadline.payload as Record<string, unknown> | null;
  return payload !== null && typeof payload === 'object' && typeof payload[key] === 'string' ? (payload as T) : null;
}

export function createChessReferee(deps: RefereeDeps): Referee {
  const settings = chessSettings(deps.config);
  const core: ChessCore = { book: new GameBook(deps.logger), lobby: new LobbyMirror(), chat: new ChatLimiter(settings.chatLimit, settings.chatWindowMs), settings };
  const { book } = core;

  // `roomsFor` parses the payload; `decide` (called right after, on the same queue) reuses it.
  const parsedPayloads = new Map<string, ReturnType<typeof parseChessIntent>>();
  const parse = (intent: IntentEnvelope & { kind: ChessIntentKind }, author: Author) => {
    const key = `${author.tenant}\u0000${author.user}\u0000${intent.id}`;
    const cached = parsedPayloads.get(key);
    if (cached !== undefined) {
      parsedPayloads.delete(key);
      return cached;
    }
    const parsed = parseChessIntent(intent.kind, intent.payload);
    if (parsedPayloads.size >= PARSED_CACHE) parsedPayloads.clear();
    parsedPayloads.set(key, parsed);
    return parsed;
  };

  function roomsFor(intent: IntentEnvelope, author: Author): readonly string[] {
    if (!isChessIntentKind(intent.kind)) return [];
    const parsed = parse({ ...intent, kind: intent.kind }, author);
    if (!parsed.ok) return [];
    const { tenant } = author;
    const nextGame = roomNames.chessGame(tenant, gameIdFor(tenant, author.user, intent.id));
    switch (intent.kind) {
      case 'chess.seek': {
        const rooms = [roomNames.lobby(tenant), roomNames.standings(tenant, 'chess')];
        return mayPairAtOnce(core, author, parsed.value as ParsedChessIntent<'chess.seek'>, deps.now()) ? [...rooms, nextGame] : rooms;
      }
      case 'chess.acceptSeek':
        return [roomNames.lobby(tenant), roomNames.standings(tenant, 'chess'), nextGame];
      case 'chess.cancelSeek':
        return [roomNames.lobby(tenant)];
      case 'chess.rematch': {
        const { gameId } = parsed.value as ParsedChessIntent<'chess.rematch'>;
        const known = book.peek(tenant, gameId);
        const mine = known === null ? null : colorOf(known, author.user);
        const mayStart = known === null || (known.rematch?.status === 'offered' && known.rematch.by !== mine);
        return mayStart ? [...gameRooms(tenant, gameId), nextGame] : [roomNames.chessGame(tenant, gameId)];
      }
      case 'chess.chat': {
        const { gameId, channel } = parsed.value as ParsedChessIntent<'chess.chat'>;
        return channel === 'players' ? [roomNames.chessGame(tenant, gameId), roomNames.chessPlayers(tenant, gameId)] : [roomNames.chessGame(tenant, gameId)];
      }
      default:
        // Moves, resignations, draws, aborts and rematch refusals write their game room only.
        return [roomNames.chessGame(tenant, (parsed.value as { gameId: string }).gameId)];
    }
  }

  function decideIntent(intent: IntentEnvelope, author: Author, tx: ChessTx): Outcome {
    if (!isChessIntentKind(intent.kind)) return rejected('invalid', `unknown chess request "${intent.kind}"`);
    const kind = intent.kind;
    const parsed = parse({ ...intent, kind }, author);
    if (!parsed.ok) return rejected('invalid', `this request could not be read (${parsed.error.message})`);
    const { tenant, user } = author;
    const value = parsed.value;
    if (isCommandKind(kind)) {
      if (kind === 'chess.move' && intent.expiresAt - intent.createdAt > settings.moveTtlMs) {
        return rejected('ttl-too-long', `a move may wait at most ${Math.round(settings.moveTtlMs / 1000)} s on its way to the server`);
      }
      return playCommand(tx, book, author, { ...(value as object), type: COMMANDS[kind] } as PlayerCommand);
    }
    switch (kind) {
      case 'chess.seek':
        return postSeek(tx, core, author, value as ParsedChessIntent<'chess.seek'>, { seekId: seekIdFor(tenant, user, intent.id), gameId: gameIdFor(tenant, user, intent.id) });
      case 'chess.acceptSeek':
        return acceptSeek(tx, core, author, (value as ParsedChessIntent<'chess.acceptSeek'>).seekId, gameIdFor(tenant, user, intent.id));
      case 'chess.cancelSeek':
        return cancelSeek(tx, core, author, (value as ParsedChessIntent<'chess.cancelSeek'>).seekId);
      case 'chess.rematch':
        return offerOrAcceptRematch(tx, core, author, (value as ParsedChessIntent<'chess.rematch'>).gameId, gameIdFor(tenant, user, intent.id));
      case 'chess.declineRematch':
        return declineRematch(tx, book, author, (value as ParsedChessIntent<'chess.declineRematch'>).gameId);
      case 'chess.chat':
        return postChat(tx, core, author, value as ParsedChessIntent<'chess.chat'>, messageIdFor(tenant, user, intent.id));
      default:
        return rejected('invalid', `unknown chess request "${kind}"`);
    }
  }

  /** Reads who plays a game from its stored room (for a process that has not seen it yet). */
  async function storedPlayers(tenant: string, gameId: string): Promise<{ white: string; black: string } | null> {
    const known = book.knownPlayers(tenant, gameId);
    if (known !== null) return known;
    const stored = await deps.store.rooms.load(roomNames.chessGame(tenant, gameId));
    const doc = new Y.Doc();
    try {
      for (const update of [stored.snapshot, ...stored.updates.map((entry) => entry.data)]) if (update) Y.applyUpdate(doc, update);
      const game = doc.getMap(GAME_MAP);
      const white = (game.get('white') as { userId?: unknown } | undefined)?.userId;
      const black = (game.get('black') as { userId?: unknown } | undefined)?.userId;
      if (typeof white !== 'string' || typeof black !== 'string') return null;
      const players = { white, black };
      book.rememberPlayers(tenant, gameId, players);
      return players;
    } finally {
      doc.destroy();
    }
  }

  return {
    name: CHESS_REFEREE,
    intentKinds: CHESS_INTENT_KINDS,
    roomsFor,
    // A seek may pair with (and a rematch start) a game only the lobby's and book's current state
    // names; every other request names its rooms from its payload alone.
    batchable: (intent) => intent.kind !== 'chess.seek' && intent.kind !== 'chess.rematch',
    decide: (intent, author, ctx) => inTx(ctx, (tx) => decideIntent(intent, author, tx)),

    deadlineRooms(deadline) {
      if (deadline.kind === 'seek') return [roomNames.lobby(deadline.tenant)];
      const payload = payloadOf<GameDeadlinePayload>(deadline, 'gameId');
      if (payload === null) return [];
      return deadline.kind === 'finish' ? gameRooms(deadline.tenant, payload.gameId) : [roomNames.chessGame(deadline.tenant, payload.gameId)];
    },

    onDeadline(deadline, ctx) {
      inTx(ctx, (tx) => {
        if (deadline.kind === 'seek') {
          const payload = payloadOf<SeekDeadlinePayload>(deadline, 'seekId');
          if (payload !== null) seekDue(tx, core, payload);
          return;
        }
        const payload = payloadOf<GameDeadlinePayload>(deadline, 'gameId');
        if (payload === null) return;
        if (deadline.kind === 'clock') clockDue(tx, book, payload.gameId);
        else if (deadline.kind === 'disconnect') disconnectDue(tx, book, payload.gameId);
        else if (deadline.kind === 'resume') resumeDue(tx, book, payload.gameId, settings);
        else if (deadline.kind === 'finish') finishDue(tx, book, payload.gameId);
        else ctx.logger.warn({ deadline: deadline.id, kind: deadline.kind }, 'unknown chess deadline; dropped');
      });
    },

    /**
     * Server downtime is not charged: the deadlines of live games move by the downtime now, and
     * each live game's clock in its room moves by it the first time the game is touched (a
     * `resume` deadline right after start touches every one of them).
     */
    async start({ now, downtimeMs, shiftDeadlines }) {
      const mine = (await deps.store.deadlines.all()).filter((row) => row.referee === CHESS_REFEREE);
      const pending = new Map<string, { tenant: string; gameId: string; shiftMs: number }>();
      for (const row of mine) {
        if (row.kind !== 'resume') continue;
        const payload = JSON.parse(row.payload) as Partial<ResumePayload>;
        if (typeof payload.gameId === 'string') pending.set(row.id, { tenant: row.tenant, gameId: payload.gameId, shiftMs: Number(payload.shiftMs) || 0 });
      }
      if (downtimeMs > 0) {
        await shiftDeadlines((deadline) => deadline.kind !== 'resume', downtimeMs);
        for (const row of mine) {
          if (row.kind !== 'clock') continue;
          const payload = JSON.parse(row.payload) as Partial<GameDeadlinePayload>;
          if (typeof payload.gameId !== 'string') continue;
          const id = deadlineIds.resume(row.tenant, payload.gameId);
          pending.set(id, { tenant: row.tenant, gameId: payload.gameId, shiftMs: (pending.get(id)?.shiftMs ?? 0) + downtimeMs });
        }
        const rows = [...pending].map(([id, { tenant, gameId, shiftMs }]) => ({
          id,
          tenant,
          referee: CHESS_REFEREE,
          kind: 'resume',
          fireAt: now,
          payload: JSON.stringify({ gameId, shiftMs } satisfies ResumePayload),
        }));
        if (rows.length > 0) await deps.store.intents.commit({ updates: [], decisions: [], consumed: [], deadlinesSet: rows, deadlinesCleared: [], ledger: [] });
      }
      for (const { tenant, gameId, shiftMs } of pending.values()) book.pendShift(tenant, gameId, shiftMs, now);
    },

    async accessFacts(room, principal): Promise<AccessFacts> {
      if (room.kind !== 'chess-players' || room.tenant !== principal.tenant) return {};
      const players = await storedPlayers(room.tenant, room.game);
      return { isPlayer: players !== null && (players.white === principal.user || players.black === principal.user) };
    },

    onPresence(event) {
      const { tenant, user, room } = event;
      if (room.kind === 'lobby' && !event.connected) {
        const open = core.lobby.seeksOf(tenant);
        if (open !== null && !open.some((seek) => seek.creator.userId === user)) return null;
        return { rooms: [roomNames.lobby(tenant)], run: (ctx) => inTx(ctx, (tx) => lobbyPresence(tx, core, user)) };
      }
      if (room.kind === 'chess-game') {
        const players = book.knownPlayers(tenant, room.game);
        if (players !== null && players.white !== user && players.black !== user) return null;
        return { rooms: [roomNames.chessGame(tenant, room.game)], run: (ctx) => inTx(ctx, (tx) => gamePresence(tx, core, room.game, user)) };
      }
      return null;
    },
  };
}
