import { describe, expect, it } from 'vitest';
import { roomPeople, watchingCount } from './viewers.ts';
import { gameAfter } from './test-support/records.ts';

const away = { disconnectedAt: 1_000, deadline: 16_000 };

describe('the viewer count', () => {
  const live = gameAfter(['e2e4']);

  it.each([
    ['both players and one spectator', { connections: 3, users: 3 }, 1],
    ['a player with a second tab open is no spectator', { connections: 4, users: 3 }, 1],
    ['a spectator with two tabs counts once', { connections: 4, users: 3 }, 1],
    ['nobody but the players', { connections: 2, users: 2 }, 0],
    ['an old server that counts sockets only', { connections: 3 }, 1],
  ])('%s', (_name, info, watching) => expect(watchingCount(live, roomPeople(info))).toBe(watching));

  it('a player whose countdown runs is not in the room, so every other person watches', () => {
    const whiteAway = { ...live, disconnect: { white: away, black: null } };
    expect(watchingCount(whiteAway, 2)).toBe(1);
  });

  it('shows nothing without a live count from the server, nor after the game', () => {
    expect(roomPeople(null)).toBeNull();
    expect(watchingCount(live, null)).toBeNull();
    expect(watchingCount({ ...live, status: 'ended' }, 3)).toBeNull();
  });

  it('never goes below zero while presence and the count catch up with each other', () => {
    expect(watchingCount(live, 1)).toBe(0);
  });
});
