/**
 * Ratings in the standings room (`t/{tenant}/standings/chess`): Glicko-2 per speed, one rating
 * period per game as on lichess. Only rated games between two accounts count.
 */
import { DEFAULT_RATING, rateGame } from '../../../../shared/domain/chess/glicko2.ts';
import { isRatable } from '../../../../shared/domain/chess/game.ts';
import type { Speed } from '../../../../shared/domain/chess/time-control.ts';
import { COLORS, type Color } from '../../../../shared/domain/chess/types.ts';
import { readStandingsEntry, STANDINGS_RATINGS, type ChessGameRecord, type Perf, type RatingChange, type StandingsEntry } from '../../../../shared/sync/layouts/chess.ts';
import { roomNames } from '../../../../shared/sync/rooms.ts';
import type { ChessTx } from './tx.ts';

export const NEW_PERF: Perf = { ...DEFAULT_RATING, games: 0, wins: 0, losses: 0, draws: 0 };

function entryOf(tx: ChessTx, userId: string): StandingsEntry | null {
  const value = tx.ctx.doc(roomNames.standings(tx.tenant, 'chess')).getMap(STANDINGS_RATINGS).get(userId);
  if (value === undefined) return null;
  const entry = readStandingsEntry(userId, value);
  if (!entry.ok) {
    tx.ctx.logger.warn({ user: userId, problem: entry.error.message }, 'unreadable chess standings entry; starting it again');
    return null;
  }
  return entry.value;
}

export function perfOf(tx: ChessTx, userId: string, speed: Speed): Perf {
  return entryOf(tx, userId)?.perfs[speed] ?? NEW_PERF;
}

/** The rating to show for a user at a speed (rounded), as a seek or a new game carries it. */
export function displayRating(tx: ChessTx, userId: string, speed: Speed): number {
  return Math.round(perfOf(tx, userId, speed).rating);
}

/** Rates a game that just ended, if it counts; writes the standings and returns the change. */
export function rateFinishedGame(tx: ChessTx, record: ChessGameRecord): Readonly<Record<Color, RatingChange>> | null {
  if (!isRatable(record) || record.result === null || record.kinds.white !== 'account' || record.kinds.black !== 'account') return null;
  const before = { white: perfOf(tx, record.white.userId, record.speed), black: perfOf(tx, record.black.userId, record.speed) };
  const after = rateGame(before.white, before.black, record.result);
  const score: Record<Color, number> = record.result === '1-0' ? { white: 1, black: 0 } : record.result === '0-1' ? { white: 0, black: 1 } : { white: 0.5, black: 0.5 };
  tx.ctx.write(roomNames.standings(tx.tenant, 'chess'), (doc) => {
    const map = doc.getMap(STANDINGS_RATINGS);
    for (const color of COLORS) {
      const player = record[color];
      const old = entryOf(tx, player.userId);
      const perf = before[color];
      const next: Perf = {
        ...after[color],
        games: perf.games + 1,
        wins: perf.wins + (score[color] === 1 ? 1 : 0),
        losses: perf.losses + (score[color] === 0 ? 1 : 0),
        draws: perf.draws + (score[color] === 0.5 ? 1 : 0),
      };
      const entry: StandingsEntry = { userId: player.userId, displayName: player.displayName, perfs: { ...(old?.perfs ?? {}), [record.speed]: next }, updatedAt: tx.now };
      map.set(player.userId, entry);
    }
  });
  return {
    white: { before: before.white.rating, after: after.white.rating },
    black: { before: before.black.rating, after: after.black.rating },
  };
}
