/**
 * One live game on this device, outside React: follows the game record as the game room brings
 * it, sends the player's moves (shown at once, predicted, until the record has them), keeps one
 * premove and sends it when the turn comes back if it is still legal, and says which sounds and
 * notices a change deserves. The page renders `view` through `useSyncExternalStore`.
 */
import { CHESS_MOVE_TTL_MS, type ChessGameRecord } from '../../../../../shared/sync/layouts/chess.ts';
import type { Decision } from '../../../../../shared/sync/intents.ts';
import { colorOf } from '../../../../../shared/domain/chess/game.ts';
import { opposite, type Color, type PromotionPiece } from '../../../../../shared/domain/chess/types.ts';
import { rejectionText } from './format.ts';
import { fenAfter, findMove, moveSoundOf, positionOf, type MoveOption, type PositionInfo } from './position.ts';

export type ChessSound = 'move' | 'capture' | 'check' | 'end' | 'notify';

export interface Notice {
  readonly color: 'red' | 'blue' | 'yellow';
  readonly message: string;
}

export interface GameControllerDeps {
  readonly userId: string;
  /** Sends an intent and resolves with its decision. */
  readonly submit: (kind: string, payload: unknown, options: { readonly ttlMs?: number }) => Promise<Decision>;
  /** The server's clock as this device estimates it. */
  readonly serverNow: () => number;
  readonly notice?: (notice: Notice) => void;
  readonly sound?: (sound: ChessSound) => void;
}

export interface PendingMove {
  readonly ply: number;
  readonly uci: string;
  readonly san: string;
  /** The position after the move, as predicted here. */
  readonly fen: string;
  /** Server time when it was sent: the player's clock face stops there. */
  readonly sentAt: number;
}

export interface Premove {
  readonly from: string;
  readonly to: string;
  readonly promotion?: PromotionPiece;
}

export interface GameView {
  /** undefined while loading, null when this device has no such game. */
  readonly record: ChessGameRecord | null | undefined;
  readonly myColor: Color | null;
  readonly pending: PendingMove | null;
  readonly premove: Premove | null;
  /** The live end of the game: after the pending move if there is one. */
  readonly position: PositionInfo | null;
  /** Moves at the live end, the pending one included. */
  readonly plies: number;
  /** The player may move (or premove) now. */
  readonly canPlay: boolean;
}

export type MoveAttempt = 'sent' | 'premove' | 'needs-promotion' | 'illegal' | 'not-playing';

const LOADING: GameView = { record: undefined, myColor: null, pending: null, premove: null, position: null, plies: 0, canPlay: false };

export class GameController {
  private view: GameView = LOADING;
  private readonly listeners = new Set<() => void>();
  private readonly deps: GameControllerDeps;
  readonly gameId: string;
  private disposed = false;

  constructor(gameId: string, deps: GameControllerDeps) {
    this.gameId = gameId;
    this.deps = deps;
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getView = (): GameView => this.view;

  dispose(): void {
    this.disposed = true;
    this.listeners.clear();
  }

  /** A new copy of the record (or null: none on this device). */
  update(record: ChessGameRecord | null): void {
    const previous = this.view.record;
    let pending = this.view.pending;
    if (pending && (record === null || record.moves.length > pending.ply || record.status === 'ended')) pending = null;
    if (previous && record && previous.id === record.id) this.announce(previous, record);
    this.set(record, pending, this.view.premove);
    this.playPremove();
  }

  /** The player moves a piece (drag, click or typed). */
  attempt(from: string, to: string, promotion?: PromotionPiece): MoveAttempt {
    const { record, myColor, position, pending } = this.view;
    if (!record || myColor === null || record.status === 'ended' || position === null) return 'not-playing';
    if (from === to) return 'illegal';
    if (pending !== null || position.turn !== myColor) {
      this.set(record, pending, promotion === undefined ? { from, to } : { from, to, promotion });
      return 'premove';
    }
    const found = findMove(position, from, to, promotion);
    if (found.kind !== 'move') return found.kind;
    this.send(record, found.move);
    return 'sent';
  }

  cancelPremove(): void {
    if (this.view.premove !== null && this.view.record !== undefined) this.set(this.view.record, this.view.pending, null);
  }

  private send(record: ChessGameRecord, move: MoveOption): void {
    const ply = record.moves.length;
    const fen = fenAfter(record.fen, move.uci);
    if (fen === null) return;
    const pending: PendingMove = { ply, uci: move.uci, san: move.san, fen, sentAt: this.deps.serverNow() };
    this.set(record, pending, this.view.premove);
    this.deps.sound?.(moveSoundOf(move.san));
    const undo = (message: string) => {
      if (this.disposed) return;
      const current = this.view.pending;
      if (current && current.ply === ply && current.uci === move.uci && this.view.record !== undefined) this.set(this.view.record, null, this.view.premove);
      this.deps.notice?.({ color: 'red', message: `${move.san} was not played: ${message}` });
    };
    this.deps.submit('chess.move', { gameId: record.id, expectedPly: ply, move: move.uci }, { ttlMs: CHESS_MOVE_TTL_MS }).then(
      (decision) => {
        if (decision.status !== 'accepted') undo(rejectionText(decision));
      },
      (error: unknown) => undo(error instanceof Error ? error.message : String(error)),
    );
  }

  private playPremove(): void {
    const { record, myColor, position, premove, pending } = this.view;
    if (!record || !premove || myColor === null || pending !== null || position === null) return;
    if (record.status === 'ended') {
      this.set(record, null, null);
      return;
    }
    if (position.turn !== myColor) return;
    let found = findMove(position, premove.from, premove.to, premove.promotion);
    // A premove to the last rank becomes a queen unless another piece was chosen.
    if (found.kind === 'needs-promotion') found = findMove(position, premove.from, premove.to, 'q');
    this.set(record, null, null);
    if (found.kind === 'move') this.send(record, found.move);
  }

  private announce(previous: ChessGameRecord, record: ChessGameRecord): void {
    const me = colorOf(record, this.deps.userId);
    if (record.moves.length > previous.moves.length) {
      const last = record.moves.at(-1)!;
      const moverIsMe = me !== null && moverAt(record, record.moves.length - 1) === me;
      // The player's own move sounded when it was made.
      if (!moverIsMe) this.deps.sound?.(moveSoundOf(last.san));
    }
    if (previous.status !== 'ended' && record.status === 'ended') this.deps.sound?.('end');
    if (record.rev <= previous.rev || me === null) return;
    for (const event of record.lastEvents) {
      if (event.type === 'draw-offered' && event.by !== me) this.deps.sound?.('notify');
      if (event.type === 'draw-declined' && event.by !== me) this.deps.notice?.({ color: 'yellow', message: 'Your opponent declined the draw offer.' });
    }
    const rematch = record.rematch;
    if (rematch?.status === 'offered' && rematch.by !== me && previous.rematch?.status !== 'offered') this.deps.sound?.('notify');
  }

  private set(record: ChessGameRecord | null, pending: PendingMove | null, premove: Premove | null): void {
    const myColor = record ? colorOf(record, this.deps.userId) : null;
    const fen = pending?.fen ?? record?.fen ?? null;
    const position = fen === null ? null : this.view.position?.fen === fen ? this.view.position : positionOf(fen);
    const plies = (record?.moves.length ?? 0) + (pending ? 1 : 0);
    const canPlay = record != null && myColor !== null && record.status !== 'ended';
    this.view = { record, myColor, pending, premove: canPlay ? premove : null, position, plies, canPlay };
    for (const listener of [...this.listeners]) listener();
  }
}

/** The colour that made the move at `ply` (0-based) in this game. */
export function moverAt(record: Pick<ChessGameRecord, 'initialFen'>, ply: number): Color {
  const first: Color = record.initialFen.split(' ')[1] === 'b' ? 'black' : 'white';
  return ply % 2 === 0 ? first : opposite(first);
}
