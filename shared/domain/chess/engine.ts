/**
 * The one edge where chess.js meets the domain. chess.js throws on a bad FEN, an illegal move
 * and an unparsable PGN; every call that can throw is wrapped here and comes back as a Result.
 * Other files never call `new Chess`, `load`, `move` or `loadPgn` themselves.
 *
 * Rules are chess.js 1.4.0's: threefold repetition and the fifty-move rule end the game
 * automatically (no claim), and `fen()` prints the en-passant square only when a capture
 * there is legal.
 */
import { Chess, validateFen, type Square } from 'chess.js';
import { fail, ok, type DomainError, type Result } from '../result.ts';
import { isPromotionPiece, isSquare, STANDARD_FEN, type Color, type GameResult, type PromotionPiece } from './types.ts';

export const ENGINE_ERROR_CODES = ['bad-fen', 'bad-move-format', 'illegal-move', 'promotion-required', 'bad-pgn'] as const;
export type EngineErrorCode = (typeof ENGINE_ERROR_CODES)[number];
export type EngineError = DomainError<EngineErrorCode>;

/** A move as a player's intent carries it: squares plus the promotion piece, if any. */
export interface MoveInput {
  readonly from: string;
  readonly to: string;
  readonly promotion?: PromotionPiece | undefined;
}

/** The rules-decided ends, in the order they are checked (mate beats the fifty-move rule). */
export const BOARD_TERMINATIONS = ['checkmate', 'stalemate', 'insufficient-material', 'threefold-repetition', 'fifty-move-rule'] as const;
export type BoardTermination = (typeof BOARD_TERMINATIONS)[number];

export interface BoardOutcome {
  readonly result: GameResult;
  readonly termination: BoardTermination;
}

export function engineColor(color: 'w' | 'b'): Color {
  return color === 'w' ? 'white' : 'black';
}

export function newEngine(fen: string = STANDARD_FEN): Result<Chess, EngineError> {
  const checked = validateFen(fen);
  if (!checked.ok) return fail('bad-fen', checked.error ?? 'invalid FEN');
  try {
    return ok(new Chess(fen));
  } catch (error) {
    return fail('bad-fen', messageOf(error));
  }
}

const UCI_PATTERN = /^([a-h][1-8])([a-h][1-8])([qrbn])?$/;

/** "e7e8q" or `{ from, to, promotion }` → a checked MoveInput (syntax only, not legality). */
export function parseMoveInput(input: string | { readonly from: string; readonly to: string; readonly promotion?: string | undefined }): Result<MoveInput, EngineError> {
  if (typeof input === 'string') {
    const match = UCI_PATTERN.exec(input);
    if (match === null) return fail('bad-move-format', `"${input.slice(0, 16)}" is not a UCI move like e2e4 or e7e8q`);
    const [, from = '', to = '', promotion] = match;
    return ok(promotion === undefined ? { from, to } : { from, to, promotion: promotion as PromotionPiece });
  }
  if (!isSquare(input.from) || !isSquare(input.to)) return fail('bad-move-format', 'from and to must be squares a1–h8');
  if (input.promotion === undefined) return ok({ from: input.from, to: input.to });
  if (!isPromotionPiece(input.promotion)) return fail('bad-move-format', 'promotion must be one of q, r, b, n');
  return ok({ from: input.from, to: input.to, promotion: input.promotion });
}

/** A move as `playMove` played it: its squares, promotion piece and SAN. */
export interface PlayedMove {
  readonly from: string;
  readonly to: string;
  readonly promotion?: PromotionPiece | undefined;
  readonly san: string;
}

/**
 * Plays `input` if it is legal. chess.js throws on an illegal move and silently ignores a
 * promotion piece on a move that does not promote; both come back as 'illegal-move', and a
 * pawn reaching the last rank without its piece as 'promotion-required'.
 */
export function playMove(chess: Chess, input: MoveInput): Result<PlayedMove, EngineError> {
  if (INTERNALS_OK) return playMoveFast(chess as unknown as ChessInternals, input);
  let move;
  try {
    move = chess.move(input.promotion === undefined ? { from: input.from, to: input.to } : { ...input });
  } catch {
    return moveRefused(chess, input);
  }
  if (move.promotion !== input.promotion) {
    chess.undo();
    return fail('illegal-move', `${uciOf(input)} is not legal here`);
  }
  return ok(move.promotion === undefined ? { from: move.from, to: move.to, san: move.san } : { from: move.from, to: move.to, promotion: move.promotion as PromotionPiece, san: move.san });
}

function moveRefused(chess: Chess, input: MoveInput): Result<never, EngineError> {
  const promotes = chess.moves({ square: input.from as Square, verbose: true }).some((m) => m.to === input.to && m.promotion !== undefined);
  if (promotes && input.promotion === undefined) return fail('promotion-required', `${input.from}${input.to} promotes: choose q, r, b or n`);
  return fail('illegal-move', `${uciOf(input)} is not legal here`);
}

// chess.js internals ---------------------------------------------------------------------------
//
// `chess.move()` generates every legal move twice (once to find the move, once more inside its
// `Move` object for the SAN) and prints two FENs for `before`/`after`, and `isStalemate` or
// `isCheckmate` generates them a third time: together about two thirds of the referee's CPU per
// move. Most of a generation is the legality test (make, look for an attack on the king, undo)
// of every pseudo-legal move; with the private methods below, only the moves that matter are
// tested, and the game-over test stops at the first legal reply. They are chess.js 1.4.0's (pinned in
// package.json); if a version lacks them, the public calls above are used instead, and
// engine.test.ts pins both paths to chess.js's public answers.

interface InternalMove {
  readonly from: number;
  readonly to: number;
  readonly piece: string;
  readonly captured?: string | undefined;
  readonly promotion?: string | undefined;
  readonly flags: number;
}

interface ChessInternals {
  readonly _turn: 'w' | 'b';
  _moves(options?: { readonly legal?: boolean }): InternalMove[];
  _makeMove(move: InternalMove): void;
  _undoMove(): unknown;
  _incPositionCount(): void;
  _isKingAttacked(color: 'w' | 'b'): boolean;
}

const INTERNAL_METHODS = ['_moves', '_makeMove', '_undoMove', '_incPositionCount', '_isKingAttacked'] as const;
const INTERNALS_OK = INTERNAL_METHODS.every((name) => typeof (Chess.prototype as unknown as Record<string, unknown>)[name] === 'function');

/** Exported for engine.test.ts only: whether the fast paths are in use. */
export const USES_CHESS_INTERNALS = INTERNALS_OK;

// chess.js 1.4.0's move flags (`BITS`), for the SAN.
const FLAG_CAPTURE = 2;
const FLAG_EP_CAPTURE = 8;
const FLAG_KSIDE_CASTLE = 32;
const FLAG_QSIDE_CASTLE = 64;

/** 0x88 index of a checked square ("a8" is 0, "h1" is 119), as chess.js numbers them. */
function ox88(square: string): number {
  return (56 - square.charCodeAt(1)) * 16 + (square.charCodeAt(0) - 97);
}

function squareOf(index: number): string {
  return `${'abcdefgh'[index & 0xf]!}${'87654321'[index >> 4]!}`;
}

function isLegal(chess: ChessInternals, move: InternalMove): boolean {
  const us = chess._turn;
  chess._makeMove(move);
  const legal = !chess._isKingAttacked(us);
  chess._undoMove();
  return legal;
}

/**
 * Finds the move among the pseudo-legal ones and tests the legality of that move alone (and
 * of the few rivals its SAN may need to tell apart) instead of all of them, plays it, and
 * writes its SAN as chess.js's `_moveToSan` does; the check/mate suffix comes from the same
 * legal-reply search as `boardOutcome`.
 */
function playMoveFast(chess: ChessInternals, input: MoveInput): Result<PlayedMove, EngineError> {
  const from = ox88(input.from);
  const to = ox88(input.to);
  const moves = chess._moves({ legal: false });
  // The match `chess.move({ from, to, promotion })` takes: a promoting move needs its piece,
  // and a piece on a move that does not promote matches and is then refused below.
  const move = moves.find((m) => m.from === from && m.to === to && (m.promotion === undefined || m.promotion === input.promotion));
  if (move === undefined || !isLegal(chess, move)) return moveRefused(chess as unknown as Chess, input);
  if (move.promotion !== input.promotion) return fail('illegal-move', `${uciOf(input)} is not legal here`);
  let san: string;
  if (move.flags & FLAG_KSIDE_CASTLE) san = 'O-O';
  else if (move.flags & FLAG_QSIDE_CASTLE) san = 'O-O-O';
  else {
    san = '';
    if (move.piece !== 'p') san += move.piece.toUpperCase() + disambiguator(chess, move, moves);
    if (move.flags & (FLAG_CAPTURE | FLAG_EP_CAPTURE)) san += `${move.piece === 'p' ? input.from[0]! : ''}x`;
    san += input.to;
    if (move.promotion !== undefined) san += `=${move.promotion.toUpperCase()}`;
  }
  chess._makeMove(move);
  chess._incPositionCount();
  if (chess._isKingAttacked(chess._turn)) san += hasLegalMove(chess as unknown as Chess) ? '+' : '#';
  return ok(input.promotion === undefined ? { from: input.from, to: input.to, san } : { from: input.from, to: input.to, promotion: input.promotion, san });
}

/** chess.js's `getDisambiguator` over the legal moves of the same piece to the same square. */
function disambiguator(chess: ChessInternals, move: InternalMove, moves: readonly InternalMove[]): string {
  let ambiguities = 0;
  let sameRank = 0;
  let sameFile = 0;
  for (const other of moves) {
    if (other.piece !== move.piece || other.from === move.from || other.to !== move.to || !isLegal(chess, other)) continue;
    ambiguities += 1;
    if (other.from >> 4 === move.from >> 4) sameRank += 1;
    if ((other.from & 0xf) === (move.from & 0xf)) sameFile += 1;
  }
  if (ambiguities === 0) return '';
  const square = squareOf(move.from);
  if (sameRank > 0 && sameFile > 0) return square;
  return sameFile > 0 ? square[1]! : square[0]!;
}

/** Whether the side to move has a legal move: `moves().length > 0`, stopping at the first. */
function hasLegalMove(chess: Chess): boolean {
  if (!INTERNALS_OK) return chess.moves().length > 0;
  const internals = chess as unknown as ChessInternals;
  return internals._moves({ legal: false }).some((move) => isLegal(internals, move));
}

export function uciOf(move: { readonly from: string; readonly to: string; readonly promotion?: string | undefined }): string {
  return `${move.from}${move.to}${move.promotion ?? ''}`;
}

/** Rebuilds the game from its start position and UCI moves (keeps repetition history). */
export function replay(initialFen: string, ucis: readonly string[]): Result<Chess, EngineError> {
  const chess = newEngine(initialFen);
  if (!chess.ok) return chess;
  for (const [ply, uci] of ucis.entries()) {
    const input = parseMoveInput(uci);
    if (!input.ok) return input;
    const played = playMove(chess.value, input.value);
    if (!played.ok) return fail(played.error.code, `ply ${ply + 1}: ${played.error.message}`);
  }
  return chess;
}

/**
 * The result the rules impose on the side to move, or null while the game goes on. Mate and
 * stalemate are chess.js's `isCheckmate`/`isStalemate` (check or not, and no legal move),
 * decided from one search for a legal move instead of a full generation.
 */
export function boardOutcome(chess: Chess): BoardOutcome | null {
  if (!hasLegalMove(chess)) {
    if (chess.isCheck()) return { result: chess.turn() === 'w' ? '0-1' : '1-0', termination: 'checkmate' };
    return { result: '1/2-1/2', termination: 'stalemate' };
  }
  if (chess.isInsufficientMaterial()) return { result: '1/2-1/2', termination: 'insufficient-material' };
  if (chess.isThreefoldRepetition()) return { result: '1/2-1/2', termination: 'threefold-repetition' };
  if (chess.isDrawByFiftyMoves()) return { result: '1/2-1/2', termination: 'fifty-move-rule' };
  return null;
}

export interface LoadedPgn {
  readonly headers: Readonly<Record<string, string>>;
  readonly initialFen: string;
  readonly moves: readonly { readonly san: string; readonly uci: string }[];
  readonly fen: string;
}

/** Reads a PGN through chess.js's parser (no variations; a comment before the tags fails, chess.js #534). */
export function loadPgn(pgn: string): Result<LoadedPgn, EngineError> {
  const chess = new Chess();
  try {
    chess.loadPgn(pgn);
  } catch (error) {
    return fail('bad-pgn', messageOf(error));
  }
  const history = chess.history({ verbose: true });
  return ok({
    headers: chess.getHeaders(),
    initialFen: history[0]?.before ?? chess.fen(),
    moves: history.map((m) => ({ san: m.san, uci: uciOf(m) })),
    fen: chess.fen(),
  });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
