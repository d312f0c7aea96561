/** The chess referee's settings, taken from the server configuration (all waits configurable). */
import { DEFAULT_TIME_CONTROL_BOUNDS, type TimeControlBounds } from '../../../../shared/domain/chess/time-control.ts';
import type { ServerConfig } from '../../config.ts';

export interface ChessSettings {
  /** How long a player may be away from a live game's room before forfeiting on their turn. */
  readonly disconnectGraceMs: number;
  readonly firstMoveTimeoutMs: number;
  /** Longest lifetime (expiresAt − createdAt) accepted on a move intent. */
  readonly moveTtlMs: number;
  /** A seek outlives its creator's last lobby connection by this much (and is checked this often). */
  readonly seekGraceMs: number;
  readonly chatLimit: number;
  readonly chatWindowMs: number;
  readonly bounds: TimeControlBounds;
}

export function chessSettings(config: ServerConfig): ChessSettings {
  return {
    disconnectGraceMs: config.chessDisconnectGraceMs,
    firstMoveTimeoutMs: config.chessFirstMoveTimeoutMs,
    moveTtlMs: config.chessMoveTtlMs,
    seekGraceMs: config.chessSeekGraceMs,
    chatLimit: config.chessChatLimit,
    chatWindowMs: config.chessChatWindowMs,
    bounds: {
      ...DEFAULT_TIME_CONTROL_BOUNDS,
      minInitialMs: config.chessMinInitialMs,
      initialStepMs: config.chessInitialStepMs,
      incrementStepMs: config.chessIncrementStepMs,
    },
  };
}
