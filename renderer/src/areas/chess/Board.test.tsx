import { MantineProvider } from '@mantine/core';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { Board } from './Board.tsx';
import { positionOf } from './model/position.ts';
import { PlayerStrip } from './PlayerStrip.tsx';

function render(node: React.ReactNode): string {
  return renderToStaticMarkup(<MantineProvider>{node}</MantineProvider>);
}

function labels(html: string): string[] {
  return [...html.matchAll(/aria-label="([^"]*)"/g)].map((match) => match[1]!);
}

describe('the board', () => {
  it('draws 64 labelled squares from the side asked for, with the king in check and the last move named', () => {
    // After 1.e4 f5 2.Qh5+: the black king on e8 is in check.
    const fen = 'rnbqkbnr/ppppp1pp/8/5p1Q/4P3/8/PPPP1PPP/RNB1KBNR b KQkq - 1 2';
    const info = positionOf(fen)!;
    const html = render(<Board fen={fen} orientation="black" movable={null} lastMove={{ from: 'd1', to: 'h5' }} checkSquare={info.checkSquare} label="Board" />);
    const squares = labels(html).filter((label) => /^[a-h][1-8],/.test(label));
    expect(squares).toHaveLength(64);
    // From Black's side the top-left square is h1.
    expect(squares[0]).toBe('h1, white rook');
    expect(squares).toContain('e8, black king, in check');
    expect(squares).toContain('h5, white queen, last move');
    expect(squares).toContain('d1, empty, last move');
    expect(html).toContain('data-fen="rnbqkbnr/ppppp1pp/8/5p1Q/4P3/8/PPPP1PPP/RNB1KBNR b KQkq - 1 2"');
  });

  it('hints nothing until a piece is picked', () => {
    const info = positionOf('rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1')!;
    const html = render(<Board fen={info.fen} orientation="white" movable={{ color: 'white', destinations: info.destinations, premove: false }} lastMove={null} checkSquare={null} label="Board" />);
    expect(labels(html).some((label) => label.includes('legal move'))).toBe(false);
    expect(labels(html)[1]).toBe('a8, black rook');
  });
});

describe('a player strip', () => {
  it('shows a hostile name as text, the material lead and a ticking clock face', () => {
    const hostile = '<img src=x onerror=alert(1)>';
    const html = render(
      <PlayerStrip
        color="white"
        player={{ userId: 'u1', displayName: hostile, rating: 1612.4 }}
        isMe
        presence="offline"
        clock={{ ms: 9_450, running: true }}
        low
        material={{ counts: { white: { queen: 1, rook: 2, bishop: 2, knight: 2, pawn: 8 }, black: { queen: 0, rook: 2, bishop: 2, knight: 2, pawn: 8 } }, imbalance: { white: { queen: 1, rook: 0, bishop: 0, knight: 0, pawn: 0 }, black: { queen: 0, rook: 0, bishop: 0, knight: 0, pawn: 0 } }, points: { white: 48, black: 39 }, advantage: 9 }}
      />,
    );
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; (you)');
    expect(html).toContain('1612');
    expect(html).toContain('Offline');
    expect(html).toContain('0:09.4');
    expect(html).toContain('White is 9 points of material ahead');
    expect(html).toContain('data-running="true"');
  });
});
