/**
 * The spectators' count on a game page: the people the server counts in the game room, less the
 * players who are at the board. Pure: the page passes the server's last room facts.
 */
import type { ChessGameRecord } from '../../../../../shared/sync/layouts/chess.ts';
import type { RoomInfo } from '../../../../../shared/sync/protocol.ts';
import { COLORS } from '../../../../../shared/domain/chess/types.ts';

/**
 * How many people watch, or null when there is nothing true to show: the game is over, or this
 * device has no live count from the server (`people` null: not connected yet, or offline, when a
 * count from before would be stale). `people` is `roomPeople` of the server's room facts.
 */
export function watchingCount(record: Pick<ChessGameRecord, 'status' | 'disconnect'>, people: number | null): number | null {
  if (record.status === 'ended' || people === null) return null;
  // A player at the board is a person in the room; one whose countdown runs is not.
  const playersHere = COLORS.filter((color) => record.disconnect[color] === null).length;
  return Math.max(0, people - playersHere);
}

/** People in a room by the server's facts; servers before `users` counted sockets only, so a second tab looks like a spectator there. */
export function roomPeople(info: Pick<RoomInfo, 'connections' | 'users'> | null): number | null {
  return info === null ? null : (info.users ?? info.connections);
}
