/**
 * The games the referee knows: reading a game room into a record (cached by revision, with a
 * chess.js position kept between moves so that a move costs well under a millisecond), writing
 * a new record with everything that follows from it (clock and disconnect deadlines; when the
 * game ends, a `finish` deadline that updates the lobby directory and the ratings right after,
 * so that a move touches its game room only), and taking server downtime off the clocks.
 *
 * The cache is only ever trusted when its revision equals the room's: a decision whose commit
 * failed leaves a newer revision in the cache than in the (reloaded) room, and the next read
 * goes back to the room.
 */
import type { Chess } from 'chess.js';
import { replay } from '../../../../shared/domain/chess/engine.ts';
import { nextDeadline, shiftGame, sideToMove } from '../../../../shared/domain/chess/game.ts';
import type { GameEvent } from '../../../../shared/domain/chess/referee.ts';
import { COLORS, type Color } from '../../../../shared/domain/chess/types.ts';
import { gameRoomRev, readGameRoom, writeGameRoom, type ChessGameRecord, type DisconnectInfo } from '../../../../shared/sync/layouts/chess.ts';
import { roomNames } from '../../../../shared/sync/rooms.ts';
import type { Logger } from '../../log.ts';
import { deadlineIds } from './ids.ts';
import type { ChessTx } from './tx.ts';

export interface GameEntry {
  readonly room: string;
  readonly gameId: string;
  record: ChessGameRecord;
  /** chess.js at `record`'s position, built on the first move after a (re)load. */
  position: Chess | null;
  /**
   * When the stored clock deadline fires, as this entry last set it (null: unknown). A later
   * deadline is not written over an earlier one: firing early only re-arms it (see `armClock`).
   */
  clockArmedAt: number | null;
}

export interface Players {
  readonly white: string;
  readonly black: string;
}

/** Payload of every per-game deadline. */
export interface GameDeadlinePayload {
  readonly gameId: string;
}

const MAX_CACHED_GAMES = 5_000;
const MAX_CACHED_PLAYERS = 50_000;

export class GameBook {
  private readonly entries = new Map<string, GameEntry>();
  private readonly players = new Map<string, Players>();
  /** Downtime not yet taken off a live game's clock, by room; `boot` marks it done in the room. */
  private readonly shifts = new Map<string, { readonly ms: number; readonly boot: number }>();
  private readonly logger: Logger;

  constructor(logger: Logger) {
    this.logger = logger;
  }

  /** After a restart: `ms` of downtime to take off this game's clock the next time it is touched. */
  pendShift(tenant: string, gameId: string, ms: number, boot: number): void {
    if (ms > 0) this.shifts.set(roomNames.chessGame(tenant, gameId), { ms, boot });
  }

  /** The two players of a game this process has seen (null when unknown, not "not a game"). */
  knownPlayers(tenant: string, gameId: string): Players | null {
    return this.players.get(roomNames.chessGame(tenant, gameId)) ?? null;
  }

  rememberPlayers(tenant: string, gameId: string, players: Players): void {
    const room = roomNames.chessGame(tenant, gameId);
    if (this.players.has(room)) return;
    if (this.players.size >= MAX_CACHED_PLAYERS) this.players.delete(this.players.keys().next().value!);
    this.players.set(room, players);
  }

  /** The cached record of a game, if any (a guess for `roomsFor`; never trusted for deciding). */
  peek(tenant: string, gameId: string): ChessGameRecord | null {
    return this.entries.get(roomNames.chessGame(tenant, gameId))?.record ?? null;
  }

  /** The game in a loaded room, or null when the room holds no (readable) game. */
  load(tx: ChessTx, gameId: string): GameEntry | null {
    const room = roomNames.chessGame(tx.tenant, gameId);
    const doc = tx.ctx.doc(room);
    const rev = gameRoomRev(doc);
    if (rev === null) return null;
    let entry = this.entries.get(room);
    if (entry === undefined || entry.record.rev !== rev) {
      const read = readGameRoom(doc);
      if (!read.ok) {
        tx.ctx.logger.error({ room, problem: read.error.message }, 'unreadable chess game room');
        return null;
      }
      entry = { room, gameId, record: read.value, position: null, clockArmedAt: null };
    }
    this.touch(entry);
    this.rememberPlayers(tx.tenant, gameId, { white: entry.record.white.userId, black: entry.record.black.userId });
    this.applyPendingShift(tx, entry);
    return entry;
  }

  /** Starts a game in its (empty, loaded) room. */
  create(tx: ChessTx, record: ChessGameRecord): GameEntry {
    const room = roomNames.chessGame(tx.tenant, record.id);
    tx.ctx.write(room, (doc) => writeGameRoom(doc, null, record));
    const entry: GameEntry = { room, gameId: record.id, record, position: null, clockArmedAt: null };
    this.touch(entry);
    this.rememberPlayers(tx.tenant, record.id, { white: record.white.userId, black: record.black.userId });
    this.armClock(tx, entry);
    return entry;
  }

  /** chess.js at the game's position, for `decide({ position })`; null if the moves do not replay. */
  position(entry: GameEntry): Chess | null {
    if (entry.position === null) {
      const built = replay(entry.record.initialFen, entry.record.moves.map((move) => move.uci));
      if (!built.ok) {
        this.logger.error({ room: entry.room, problem: built.error.message }, 'chess game moves do not replay');
        return null;
      }
      entry.position = built.value;
    }
    return entry.position;
  }

  /**
   * Writes the game's next record and everything that follows from it: the revision, the clock
   * deadline, disconnect deadlines, and at the end of the game the `finish` deadline (directory
   * and ratings). `next` must come from `entry.record` (same objects where unchanged).
   */
  commit(tx: ChessTx, entry: GameEntry, next: ChessGameRecord, events: readonly GameEvent[]): ChessGameRecord {
    const previous = entry.record;
    const { tenant, now } = tx;
    let record: ChessGameRecord = { ...next, rev: previous.rev + 1, lastEvents: events };
    const moved = record.moves.length > previous.moves.length;
    if (moved) {
      // A player who moves is here, whatever their game-room connection says.
      const mover = sideToMove(previous);
      if (record.disconnect[mover] !== null) {
        record = { ...record, disconnect: { ...record.disconnect, [mover]: null } };
        tx.clearDeadline(deadlineIds.disconnect(tenant, entry.gameId, mover));
      }
    }
    if (previous.status !== 'ended' && record.status === 'ended') {
      record = { ...record, disconnect: { white: null, black: null } };
      tx.clearDeadline(deadlineIds.clock(tenant, entry.gameId));
      for (const color of COLORS) tx.clearDeadline(deadlineIds.disconnect(tenant, entry.gameId, color));
      tx.setDeadline(deadlineIds.finish(tenant, entry.gameId), 'finish', now, { gameId: entry.gameId } satisfies GameDeadlinePayload);
      entry.position = null;
      entry.clockArmedAt = null;
    } else if (record.status !== 'ended') {
      entry.record = record;
      this.armClock(tx, entry);
      // The player away is due once it is their turn (a forfeit waits for the leaver's turn).
      const away = record.disconnect[sideToMove(record)];
      if (moved && away !== null) this.armDisconnect(tx, record.id, sideToMove(record), away, now);
    }
    tx.ctx.write(entry.room, (doc) => writeGameRoom(doc, previous, record));
    entry.record = record;
    return record;
  }

  /**
   * Keeps the game's clock deadline (domain `nextDeadline`) armed. The store row is written only
   * when the deadline moves earlier than the one already armed: a row that fires too early
   * finds nothing due and re-arms itself (`rearm`), so most moves write no deadline at all.
   */
  armClock(tx: ChessTx, entry: GameEntry, rearm = false): void {
    const deadline = nextDeadline(entry.record);
    const id = deadlineIds.clock(tx.tenant, entry.gameId);
    if (deadline === null) {
      if (entry.clockArmedAt !== null || rearm) tx.clearDeadline(id);
      entry.clockArmedAt = null;
      return;
    }
    if (!rearm && entry.clockArmedAt !== null && entry.clockArmedAt <= deadline.at) return;
    tx.setDeadline(id, 'clock', deadline.at, { gameId: entry.gameId } satisfies GameDeadlinePayload);
    entry.clockArmedAt = deadline.at;
  }

  armDisconnect(tx: ChessTx, gameId: string, color: Color, away: DisconnectInfo, now: number): void {
    tx.setDeadline(deadlineIds.disconnect(tx.tenant, gameId, color), 'disconnect', Math.max(away.deadline, now), { gameId } satisfies GameDeadlinePayload);
  }

  private applyPendingShift(tx: ChessTx, entry: GameEntry): void {
    const shift = this.shifts.get(entry.room);
    if (shift === undefined || entry.record.resumedAt === shift.boot) return;
    const record = entry.record;
    if (record.status === 'ended') {
      this.shifts.delete(entry.room);
      return;
    }
    const shifted = shiftGame(record, shift.ms);
    const later = (away: DisconnectInfo | null) => (away === null ? null : { disconnectedAt: away.disconnectedAt, deadline: away.deadline + shift.ms });
    this.commit(tx, entry, { ...record, clock: shifted.clock, firstMoveDeadlineAt: shifted.firstMoveDeadlineAt, disconnect: { white: later(record.disconnect.white), black: later(record.disconnect.black) }, resumedAt: shift.boot }, []);
    // The shift is in the room now: a later restart must not take it off again, but the
    // countdowns for players who have not come back still have to start.
    tx.setDeadline(deadlineIds.resume(tx.tenant, entry.gameId), 'resume', tx.now, { gameId: entry.gameId, shiftMs: 0 } satisfies ResumePayload);
  }

  private touch(entry: GameEntry): void {
    this.entries.delete(entry.room);
    this.entries.set(entry.room, entry);
    if (this.entries.size > MAX_CACHED_GAMES) this.entries.delete(this.entries.keys().next().value!);
  }
}

export interface ResumePayload extends GameDeadlinePayload {
  /** Downtime not yet taken off the clock stored in the room. */
  readonly shiftMs: number;
}
