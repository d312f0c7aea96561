import { describe, expect, it } from 'vitest';
import type { Decision } from '../../../../../shared/sync/intents.ts';
import { GameController, type ChessSound, type Notice } from './game-controller.ts';
import { BLACK, gameAfter, WHITE } from './test-support/records.ts';

interface Sent {
  readonly kind: string;
  readonly payload: unknown;
  resolve(decision: Partial<Decision>): void;
}

function harness(userId: string) {
  const sent: Sent[] = [];
  const sounds: ChessSound[] = [];
  const notices: Notice[] = [];
  const controller = new GameController('g1', {
    userId,
    serverNow: () => 123_456,
    submit: (kind, payload) =>
      new Promise<Decision>((resolve) => {
        sent.push({ kind, payload, resolve: (decision) => resolve({ v: 1, intentId: 'i', kind, status: 'accepted', decidedAt: 0, ...decision }) });
      }),
    sound: (sound) => sounds.push(sound),
    notice: (notice) => notices.push(notice),
  });
  return { controller, sent, sounds, notices };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('the live game controller', () => {
  it('shows a move at once, sends it with the ply it was chosen at, and lets the record take over', () => {
    const { controller, sent, sounds } = harness(WHITE.userId);
    expect(controller.getView().record).toBeUndefined();
    controller.update(gameAfter([]));
    expect(controller.getView()).toMatchObject({ myColor: 'white', canPlay: true, plies: 0 });
    expect(controller.attempt('e2', 'e4')).toBe('sent');
    expect(sent).toEqual([expect.objectContaining({ kind: 'chess.move', payload: { gameId: 'g1', expectedPly: 0, move: 'e2e4' } })]);
    expect(controller.getView().pending).toMatchObject({ ply: 0, san: 'e4', sentAt: 123_456 });
    expect(controller.getView().position?.turn).toBe('black');
    expect(controller.getView().plies).toBe(1);
    expect(sounds).toEqual(['move']);
    controller.update(gameAfter(['e2e4']));
    expect(controller.getView().pending).toBeNull();
    expect(sounds).toEqual(['move']);
    controller.update(gameAfter(['e2e4', 'e7e5']));
    expect(sounds).toEqual(['move', 'move']);
  });

  it('takes a refused move back and says why', async () => {
    const { controller, sent, notices } = harness(WHITE.userId);
    controller.update(gameAfter([]));
    controller.attempt('g1', 'f3');
    sent[0]!.resolve({ status: 'rejected', reason: { code: 'stale-ply', message: 'stale' } });
    await settle();
    expect(controller.getView().pending).toBeNull();
    expect(controller.getView().position?.turn).toBe('white');
    expect(notices).toEqual([{ color: 'red', message: 'Nf3 was not played: The position changed before your move arrived; it was not played.' }]);
  });

  it('asks for a promotion piece, refuses illegal moves, and ignores spectators', () => {
    const promotion = gameAfter(['h2h4', 'g7g5', 'h4g5', 'g8f6', 'g5g6', 'f6e4', 'g6g7', 'e4d6']);
    const { controller, sent } = harness(WHITE.userId);
    controller.update(promotion);
    expect(controller.attempt('g7', 'h8')).toBe('needs-promotion');
    expect(controller.attempt('g7', 'g6')).toBe('illegal');
    expect(controller.attempt('g7', 'h8', 'n')).toBe('sent');
    expect(sent[0]!.payload).toMatchObject({ move: 'g7h8n', expectedPly: 8 });
    const spectator = harness('someone-else');
    spectator.controller.update(promotion);
    expect(spectator.controller.getView()).toMatchObject({ myColor: null, canPlay: false });
    expect(spectator.controller.attempt('g7', 'h8', 'q')).toBe('not-playing');
  });

  it('keeps one premove and plays it when the turn comes back, if it is still legal', () => {
    const { controller, sent } = harness(BLACK.userId);
    controller.update(gameAfter([]));
    expect(controller.attempt('e7', 'e5')).toBe('premove');
    expect(controller.attempt('d7', 'd5')).toBe('premove');
    expect(controller.getView().premove).toEqual({ from: 'd7', to: 'd5' });
    expect(sent).toEqual([]);
    controller.update(gameAfter(['e2e4']));
    expect(sent.map((one) => one.payload)).toEqual([{ gameId: 'g1', expectedPly: 1, move: 'd7d5' }]);
    expect(controller.getView().premove).toBeNull();
    expect(controller.getView().pending?.san).toBe('d5');

    // A premove made illegal by the opponent's reply is dropped.
    controller.update(gameAfter(['e2e4', 'd7d5']));
    controller.attempt('d5', 'd4');
    controller.update(gameAfter(['e2e4', 'd7d5', 'd2d4']));
    expect(sent).toHaveLength(1);
    expect(controller.getView().premove).toBeNull();
  });

  it('can cancel a premove, and a premove made during a pending move waits for the reply', () => {
    const { controller, sent } = harness(WHITE.userId);
    controller.update(gameAfter([]));
    controller.attempt('e2', 'e4');
    expect(controller.attempt('g1', 'f3')).toBe('premove');
    controller.cancelPremove();
    expect(controller.getView().premove).toBeNull();
    controller.attempt('g1', 'f3');
    controller.update(gameAfter(['e2e4']));
    expect(sent).toHaveLength(1);
    controller.update(gameAfter(['e2e4', 'e7e5']));
    expect(sent.map((one) => (one.payload as { move: string }).move)).toEqual(['e2e4', 'g1f3']);
  });

  it('sounds the end of the game and tells the offerer their draw offer was declined', () => {
    const { controller, sounds, notices } = harness(WHITE.userId);
    const before = gameAfter(['e2e4', 'e7e5', 'f1c4', 'b8c6', 'd1h5', 'g8f6']);
    controller.update(before);
    controller.update({ ...before, rev: before.rev + 1, lastEvents: [{ type: 'draw-declined', by: 'black', at: 1 }] });
    expect(notices).toEqual([{ color: 'yellow', message: 'Your opponent declined the draw offer.' }]);
    controller.update(gameAfter(['e2e4', 'e7e5', 'f1c4', 'b8c6', 'd1h5', 'g8f6', 'h5f7']));
    // White's own mating move arrives from the record (typed elsewhere): it sounds, then the end.
    expect(sounds).toEqual(['end']);
    expect(controller.getView().canPlay).toBe(false);
  });
});
