import { describe, expect, it } from 'vitest';
import type { LiveGameEntry, SeekRecord } from '../../../../../shared/sync/layouts/chess.ts';
import { customTimeControl, gameFromSeek, joinerSide, lobbyFor, PRESET_LIST } from './lobby-view.ts';

function seek(id: string, userId: string, extra: Partial<SeekRecord> = {}): SeekRecord {
  return {
    id,
    tenantId: 't',
    creator: { userId, displayName: userId, kind: 'account', rating: null },
    timeControl: { initialMs: 180_000, incrementMs: 2_000 },
    color: 'random',
    rated: false,
    createdAt: 1,
    visibility: 'lobby',
    ...extra,
  };
}

describe('the lobby for one person', () => {
  it('separates their seeks and links from the seeks they may join, and says why one is closed to a guest', () => {
    const seeks = [seek('s1', 'ann'), seek('s2', 'me'), seek('s3', 'me', { visibility: 'link' }), seek('s4', 'bob', { rated: true }), seek('s5', 'cid', { visibility: 'link' })];
    const guest = lobbyFor(seeks, 'me', 'guest');
    expect(guest.mine.map((s) => s.id)).toEqual(['s2']);
    expect(guest.links.map((s) => s.id)).toEqual(['s3']);
    expect(guest.open.map((entry) => [entry.seek.id, entry.joinable])).toEqual([
      ['s1', true],
      ['s4', false],
    ]);
    expect(guest.open[1]!.why).toMatch(/account/);
    expect(lobbyFor(seeks, 'me', 'account').open.every((entry) => entry.joinable)).toBe(true);
  });

  it('finds the game a waiting seek became', () => {
    const game = { id: 'g1', fromSeek: 's2' } as LiveGameEntry;
    expect(gameFromSeek([game], 's2')).toBe(game);
    expect(gameFromSeek([game], 's9')).toBeNull();
  });

  it('checks a custom time control with the domain rules', () => {
    expect(customTimeControl({ minutes: '7', incrementSeconds: '5' })).toEqual({ ok: true, value: { initialMs: 420_000, incrementMs: 5_000 }, id: '7+5' });
    expect(customTimeControl({ minutes: 0.5, incrementSeconds: 0 })).toMatchObject({ ok: true, id: '0.5+0' });
    expect(customTimeControl({ minutes: '', incrementSeconds: '0' })).toMatchObject({ ok: false });
    const tooLong = customTimeControl({ minutes: 500, incrementSeconds: 0 });
    expect(tooLong.ok === false && tooLong.message).toMatch(/^Initial time must be between/);
    expect(customTimeControl({ minutes: 1.1, incrementSeconds: 0 }).ok).toBe(false);
  });

  it('offers the seven presets in order and names the joiner side', () => {
    expect(PRESET_LIST.map((preset) => preset.id)).toEqual(['1+0', '3+0', '3+2', '5+0', '10+0', '15+10', '30+0']);
    expect(joinerSide('white')).toBe('you play Black');
    expect(joinerSide('random')).toBe('random side');
  });
});
