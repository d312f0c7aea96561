/** Game records for the model tests: built by the domain's own rules, as the server does. */
import type { ChessGameRecord } from '../../../../../../shared/sync/layouts/chess.ts';
import { userActor } from '../../../../../../shared/domain/chess/commands.ts';
import { createGame } from '../../../../../../shared/domain/chess/game.ts';
import { decide, type GameEvent } from '../../../../../../shared/domain/chess/referee.ts';
import type { GameState } from '../../../../../../shared/domain/chess/game.ts';

export const WHITE = { userId: 'u-white', displayName: 'Wanda', rating: null };
export const BLACK = { userId: 'u-black', displayName: 'Boris', rating: null };

export function asRecord(state: GameState, rev: number, events: readonly GameEvent[] = []): ChessGameRecord {
  return {
    ...state,
    rev,
    speed: 'bullet',
    kinds: { white: 'guest', black: 'guest' },
    disconnect: { white: null, black: null },
    disconnectGraceMs: 30_000,
    rematch: null,
    ratingChange: null,
    lastEvents: events,
    resumedAt: null,
  };
}

/** A 1+0 game after `ucis`, played a second apart from t = 1000. */
export function gameAfter(ucis: readonly string[], initialFen?: string): ChessGameRecord {
  const created = createGame({ id: 'g1', tenantId: 't1', white: WHITE, black: BLACK, rated: false, timeControl: { initialMs: 60_000, incrementMs: 0 }, now: 1000, ...(initialFen ? { initialFen } : {}) });
  if (!created.ok) throw new Error(created.error.message);
  let state = created.value;
  let events: readonly GameEvent[] = [];
  for (const [index, uci] of ucis.entries()) {
    const mover = state.fen.split(' ')[1] === 'w' ? WHITE : BLACK;
    const decided = decide(state, { type: 'move', gameId: 'g1', expectedPly: index, move: uci }, userActor('t1', mover.userId), 2000 + index * 1000);
    if (!decided.ok) throw new Error(`${uci}: ${decided.error.message}`);
    state = decided.value.state;
    events = decided.value.events;
  }
  return asRecord(state, ucis.length + 1, events);
}
