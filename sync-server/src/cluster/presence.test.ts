/**
 * The presence board's view of other processes, as a room's viewer count needs it: the users
 * connected to a room elsewhere, and a word whenever that may have changed (a delta, a snapshot
 * that differs, a process gone or gone stale), and none when nothing did.
 */
import { describe, expect, it } from 'vitest';
import { PresenceBoard } from './presence.ts';

const ROOM = 't/club/chess/game/g1';
const OTHER = 't/club/chess/game/g2';

function board(staleAfterMs = 1000): { presence: PresenceBoard; changed: string[]; clock: { now: number } } {
  const clock = { now: 10_000 };
  const presence = new PresenceBoard({ processId: 'here', staleAfterMs, publish: () => undefined, now: () => clock.now });
  const changed: string[] = [];
  presence.onRemoteRoomChanged((room) => changed.push(room));
  return { presence, changed, clock };
}

describe('PresenceBoard: people in a room through other processes', () => {
  it('deltas add and remove users, and each real change names its room', () => {
    const { presence, changed } = board();
    presence.remoteDelta('b', ROOM, 'carol', true);
    presence.remoteDelta('c', ROOM, 'dave', true);
    presence.remoteDelta('c', ROOM, 'carol', true);
    expect([...presence.remoteUsersIn(ROOM)].sort()).toEqual(['carol', 'dave']);
    expect(presence.remoteUsersIn(OTHER).size).toBe(0);
    expect(changed).toEqual([ROOM, ROOM, ROOM]);

    // A repeated delta changes nothing and says nothing.
    presence.remoteDelta('b', ROOM, 'carol', true);
    expect(changed).toHaveLength(3);
    presence.remoteDelta('b', ROOM, 'carol', false);
    // Still there through process c.
    expect([...presence.remoteUsersIn(ROOM)].sort()).toEqual(['carol', 'dave']);
    presence.remoteDelta('c', ROOM, 'carol', false);
    expect([...presence.remoteUsersIn(ROOM)]).toEqual(['dave']);
    presence.remoteDelta('c', ROOM, 'nobody', false);
    expect(changed).toEqual([ROOM, ROOM, ROOM, ROOM, ROOM]);
  });

  it('its own messages are not "elsewhere"', () => {
    const { presence, changed } = board();
    presence.remoteDelta('here', ROOM, 'alice', true);
    presence.remoteSnapshot('here', [[ROOM, 'alice']], []);
    expect(presence.remoteUsersIn(ROOM).size).toBe(0);
    expect(changed).toEqual([]);
  });

  it('a snapshot replaces what a process said, and names only the rooms whose people differ', () => {
    const { presence, changed } = board();
    presence.remoteSnapshot('b', [[ROOM, 'carol'], [OTHER, 'erin']], []);
    expect(changed.sort()).toEqual([OTHER, ROOM].sort());
    changed.length = 0;
    presence.remoteSnapshot('b', [[OTHER, 'erin'], [ROOM, 'carol']], []);
    expect(changed).toEqual([]);
    // Carol's leaving delta was lost on the bus: the next snapshot heals the count.
    presence.remoteSnapshot('b', [[OTHER, 'erin']], []);
    expect(changed).toEqual([ROOM]);
    expect(presence.remoteUsersIn(ROOM).size).toBe(0);
    expect([...presence.remoteUsersIn(OTHER)]).toEqual(['erin']);
  });

  it('a process that stops beating drops out at the sweep, and its rooms are named', () => {
    const { presence, changed, clock } = board(1000);
    presence.remoteSnapshot('b', [[ROOM, 'carol']], []);
    presence.remoteSnapshot('c', [[ROOM, 'dave']], []);
    changed.length = 0;
    clock.now += 600;
    presence.remoteSnapshot('c', [[ROOM, 'dave']], []);
    clock.now += 600;
    presence.sweep();
    expect(changed).toEqual([ROOM]);
    expect([...presence.remoteUsersIn(ROOM)]).toEqual(['dave']);
    expect(presence.isConnected(ROOM, 'carol')).toBe(false);
    // Back from the dead with the same people: they count again, and the room hears it.
    changed.length = 0;
    presence.remoteSnapshot('b', [[ROOM, 'carol']], []);
    expect(changed).toEqual([ROOM]);
    expect([...presence.remoteUsersIn(ROOM)].sort()).toEqual(['carol', 'dave']);
  });

  it('a process that says it is gone counts no more at once', () => {
    const { presence, changed } = board();
    presence.remoteSnapshot('b', [[ROOM, 'carol'], [OTHER, 'carol']], []);
    changed.length = 0;
    presence.remoteGone('b');
    expect(changed.sort()).toEqual([OTHER, ROOM].sort());
    expect(presence.remoteUsersIn(ROOM).size).toBe(0);
    presence.remoteGone('b');
    expect(changed).toHaveLength(2);
  });
});
