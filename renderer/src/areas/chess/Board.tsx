/**
 * The chess board: an 8×8 grid of square buttons drawn with CSS (no image assets), pieces as
 * Unicode glyphs. Moves by click (piece, then target) or by drag; legal targets are hinted, the
 * last move, a king in check, the selection and a premove are tinted; a pawn reaching the last
 * rank asks for its piece. The board knows nothing of games: it reports moves to `onMove`.
 */
import { Button, Group, Paper, Text } from '@mantine/core';
import { useMemo, useRef, useState, type CSSProperties, type PointerEvent as ReactPointerEvent } from 'react';
import type { Color, PromotionPiece } from '../../../../shared/domain/chess/types.ts';
import { isLightSquare, PIECE_GLYPH, piecesBySquare, ROLE_OF_PROMOTION, squareAtPoint, squareLabel, squaresInView } from './model/board-geometry.ts';
import type { MoveAttempt } from './model/game-controller.ts';

export interface BoardMovable {
  readonly color: Color;
  /** Targets by origin square: legal moves, or premove shapes while the opponent thinks. */
  readonly destinations: Readonly<Record<string, readonly string[]>>;
  readonly premove: boolean;
}

export interface BoardProps {
  readonly fen: string;
  readonly orientation: Color;
  readonly movable: BoardMovable | null;
  readonly lastMove: { readonly from: string; readonly to: string } | null;
  readonly checkSquare: string | null;
  readonly premove?: { readonly from: string; readonly to: string } | null;
  readonly onMove?: (from: string, to: string, promotion?: PromotionPiece) => MoveAttempt;
  /** A click on an empty part of the board while a premove is set. */
  readonly onCancelPremove?: () => void;
  readonly label: string;
}

const LIGHT = '#f0d9b5';
const DARK = '#b58863';
const TINT = {
  lastMove: 'rgba(155, 199, 0, 0.42)',
  selected: 'rgba(20, 85, 30, 0.5)',
  premove: 'rgba(40, 60, 140, 0.45)',
} as const;
const DRAG_THRESHOLD_PX = 4;
const PROMOTION_ORDER: readonly PromotionPiece[] = ['q', 'r', 'b', 'n'];

interface DragState {
  readonly from: string;
  readonly startX: number;
  readonly startY: number;
  /** Pointer position relative to the board's top-left corner. */
  readonly x: number;
  readonly y: number;
  readonly moving: boolean;
  /** The press was on the already selected piece: a plain click there deselects it. */
  readonly wasSelected: boolean;
}

function pieceStyle(color: Color): CSSProperties {
  return color === 'white'
    ? { color: '#fbfbf8', textShadow: '0 0 1px #000, 0 0 1px #000, 0 0 2px #000' }
    : { color: '#1b1b1b', textShadow: '0 0 1px #fff6' };
}

export function Board({ fen, orientation, movable, lastMove, checkSquare, premove = null, onMove, onCancelPremove, label }: BoardProps) {
  const pieces = useMemo(() => piecesBySquare(fen), [fen]);
  const squares = useMemo(() => squaresInView(orientation), [orientation]);
  const [selected, setSelected] = useState<string | null>(null);
  const [drag, setDrag] = useState<DragState | null>(null);
  const [promotion, setPromotion] = useState<{ from: string; to: string } | null>(null);
  const boardRef = useRef<HTMLDivElement>(null);

  // A selection that no longer points at a movable piece of ours (the position moved on) is dropped.
  const selection = selected !== null && movable !== null && pieces.get(selected)?.color === movable.color ? selected : null;
  const targets = selection === null || movable === null ? [] : (movable.destinations[selection] ?? []);

  const move = (from: string, to: string) => {
    setSelected(null);
    if (!onMove) return;
    const attempt = onMove(from, to);
    if (attempt === 'needs-promotion') setPromotion({ from, to });
  };

  const canPick = (square: string) => movable !== null && pieces.get(square)?.color === movable.color;

  /** A press (or a keyboard activation) on a square; returns whether a drag may start from it. */
  const press = (square: string): boolean => {
    if (promotion !== null) return false;
    if (selection !== null && selection !== square && targets.includes(square)) {
      move(selection, square);
      return false;
    }
    if (canPick(square)) {
      setSelected(square);
      return true;
    }
    setSelected(null);
    if (premove !== null) onCancelPremove?.();
    return false;
  };

  const squareOfEvent = (event: { clientX: number; clientY: number }): string | null => {
    const rect = boardRef.current?.getBoundingClientRect();
    if (!rect) return null;
    return squareAtPoint(event.clientX - rect.left, event.clientY - rect.top, rect.width, orientation);
  };

  const onPointerDown = (event: ReactPointerEvent<HTMLDivElement>) => {
    if (event.button !== 0) return;
    const square = squareOfEvent(event);
    if (square === null) return;
    const wasSelected = selection === square;
    if (press(square)) {
      event.currentTarget.setPointerCapture(event.pointerId);
      const rect = event.currentTarget.getBoundingClientRect();
      setDrag({ from: square, startX: event.clientX, startY: event.clientY, x: event.clientX - rect.left, y: event.clientY - rect.top, moving: false, wasSelected });
    }
    event.preventDefault();
  };

  const onPointerMove = (event: ReactPointerEvent<HTMLDivElement>) => {
    if (drag === null) return;
    const moving = drag.moving || Math.hypot(event.clientX - drag.startX, event.clientY - drag.startY) > DRAG_THRESHOLD_PX;
    const rect = event.currentTarget.getBoundingClientRect();
    setDrag({ ...drag, x: event.clientX - rect.left, y: event.clientY - rect.top, moving });
  };

  const onPointerUp = (event: ReactPointerEvent<HTMLDivElement>) => {
    if (drag === null) return;
    setDrag(null);
    if (!drag.moving) {
      if (drag.wasSelected) setSelected(null);
      return;
    }
    const target = squareOfEvent(event);
    if (target !== null && target !== drag.from && (movable?.destinations[drag.from] ?? []).includes(target)) move(drag.from, target);
  };

  const dragging = drag?.moving ? drag : null;
  const dragged = dragging ? pieces.get(dragging.from) : undefined;

  return (
    <div
      ref={boardRef}
      role="group"
      aria-label={label}
      data-testid="chess-board"
      data-fen={fen}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={() => setDrag(null)}
      style={{
        position: 'relative',
        width: '100%',
        aspectRatio: '1 / 1',
        display: 'grid',
        gridTemplateColumns: 'repeat(8, 1fr)',
        gridTemplateRows: 'repeat(8, 1fr)',
        containerType: 'inline-size',
        userSelect: 'none',
        touchAction: 'none',
        borderRadius: 4,
        overflow: 'hidden',
        boxShadow: '0 2px 8px rgba(0,0,0,0.25)',
      }}
    >
      {squares.map((square, index) => {
        const piece = pieces.get(square);
        const light = isLightSquare(square);
        const isTarget = targets.includes(square);
        const tints: string[] = [];
        if (lastMove && (lastMove.from === square || lastMove.to === square)) tints.push(TINT.lastMove);
        if (premove && (premove.from === square || premove.to === square)) tints.push(TINT.premove);
        if (selection === square) tints.push(TINT.selected);
        const layers = tints.map((tint) => `linear-gradient(${tint}, ${tint})`);
        if (checkSquare === square) layers.unshift('radial-gradient(circle, rgba(255,0,0,0.9) 0%, rgba(231,0,0,0.6) 30%, rgba(169,0,0,0) 70%)');
        if (isTarget) {
          const hint = movable?.premove ? 'rgba(40,60,140,0.5)' : 'rgba(20,85,30,0.5)';
          layers.unshift(piece ? `radial-gradient(transparent 0%, transparent 79%, ${hint} 80%)` : `radial-gradient(${hint} 19%, transparent 20%)`);
        }
        const row = Math.floor(index / 8);
        const column = index % 8;
        const words = [squareLabel(square, piece)];
        if (selection === square) words.push('selected');
        if (isTarget) words.push(movable?.premove ? 'premove target' : 'legal move');
        if (lastMove && (lastMove.from === square || lastMove.to === square)) words.push('last move');
        if (checkSquare === square) words.push('in check');
        return (
          // The glyphs sit beside the button, not in it: its name is the label alone (axe: label-content-name-mismatch).
          <div
            key={square}
            style={{
              position: 'relative',
              background: [...layers, light ? LIGHT : DARK].join(', '),
              display: 'flex',
              alignItems: 'center',
              justifyContent: 'center',
              fontSize: '10cqw',
              lineHeight: 1,
              fontFamily: '"DejaVu Sans", "Segoe UI Symbol", "Noto Sans Symbols 2", serif',
            }}
          >
            {piece && (
              <span aria-hidden style={{ ...pieceStyle(piece.color), opacity: dragging?.from === square ? 0.3 : 1, pointerEvents: 'none' }}>
                {PIECE_GLYPH[piece.role]}
              </span>
            )}
            {column === 0 && (
              <span aria-hidden style={{ position: 'absolute', top: '2%', left: '4%', fontSize: '2.2cqw', fontFamily: 'sans-serif', fontWeight: 600, color: light ? DARK : LIGHT, pointerEvents: 'none' }}>
                {square[1]}
              </span>
            )}
            {row === 7 && (
              <span aria-hidden style={{ position: 'absolute', bottom: '2%', right: '5%', fontSize: '2.2cqw', fontFamily: 'sans-serif', fontWeight: 600, color: light ? DARK : LIGHT, pointerEvents: 'none' }}>
                {square[0]}
              </span>
            )}
            <button
              type="button"
              tabIndex={-1}
              aria-label={words.join(', ')}
              aria-pressed={selection === square}
              data-square={square}
              onClick={(event) => {
                // Pointer presses are handled on the board; this is Enter or Space on a focused square.
                if (event.detail === 0) press(square);
              }}
              style={{
                position: 'absolute',
                inset: 0,
                border: 0,
                padding: 0,
                margin: 0,
                background: 'transparent',
                cursor: movable !== null && (piece?.color === movable.color || isTarget) ? 'pointer' : 'default',
              }}
            />
          </div>
        );
      })}
      {dragging && dragged && (
        <span
          aria-hidden
          style={{
            ...pieceStyle(dragged.color),
            position: 'absolute',
            left: dragging.x,
            top: dragging.y,
            transform: 'translate(-50%, -50%)',
            fontSize: '11cqw',
            lineHeight: 1,
            pointerEvents: 'none',
            fontFamily: '"DejaVu Sans", "Segoe UI Symbol", "Noto Sans Symbols 2", serif',
            zIndex: 2,
          }}
        >
          {PIECE_GLYPH[dragged.role]}
        </span>
      )}
      {promotion && movable && (
        <div style={{ position: 'absolute', inset: 0, display: 'flex', alignItems: 'center', justifyContent: 'center', background: 'rgba(0,0,0,0.45)', zIndex: 3 }} onPointerDown={(event) => event.stopPropagation()}>
          <Paper p="sm" shadow="md" role="dialog" aria-label="Choose a promotion piece">
            <Text size="sm" fw={600} mb="xs">
              Promote to
            </Text>
            <Group gap="xs">
              {PROMOTION_ORDER.map((piece) => (
                <Button
                  key={piece}
                  variant="default"
                  size="lg"
                  aria-label={`Promote to ${ROLE_OF_PROMOTION[piece]}`}
                  onClick={() => {
                    const { from, to } = promotion;
                    setPromotion(null);
                    onMove?.(from, to, piece);
                  }}
                  style={{ fontSize: 28, ...pieceStyle(movable.color) }}
                >
                  {PIECE_GLYPH[ROLE_OF_PROMOTION[piece]]}
                </Button>
              ))}
            </Group>
            <Button variant="subtle" size="xs" mt="xs" onClick={() => setPromotion(null)}>
              Cancel
            </Button>
          </Paper>
        </div>
      )}
    </div>
  );
}
