import { describe, expect, it } from 'vitest';
import { roomCounts } from './room-counts.ts';

const peers = (...users: string[]) => users.map((user) => ({ user }));

describe('roomCounts', () => {
  it.each([
    ['nobody', peers(), [], { connections: 0, users: 0 }],
    ['one process, a second tab is one more socket, not one more person', peers('alice', 'alice', 'bob'), [], { connections: 3, users: 2 }],
    ['a spectator through another process is a person here, not a socket', peers('alice', 'bob'), ['carol'], { connections: 2, users: 3 }],
    ['a player here and through another process too is one person', peers('alice'), ['alice', 'bob'], { connections: 1, users: 2 }],
    ['people only elsewhere (no socket here)', peers(), ['carol', 'dave'], { connections: 0, users: 2 }],
  ])('%s', (_label, local, elsewhere, expected) => {
    expect(roomCounts(local, elsewhere)).toEqual(expected);
  });

  it('without a cluster (nothing elsewhere) it counts this process only', () => {
    expect(roomCounts(peers('alice', 'alice'))).toEqual({ connections: 2, users: 1 });
  });
});
