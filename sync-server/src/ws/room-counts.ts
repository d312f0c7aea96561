/**
 * The counts a room's peers are told (`RoomInfo`). People are counted across every live server
 * process; sockets only on this one, since other processes share who is connected, not how many
 * sockets they hold.
 */

export interface RoomCounts {
  readonly connections: number;
  readonly users: number;
}

/**
 * `peers` are this process's connections to the room, `elsewhere` the users other processes have
 * connected to it. A room belongs to one tenant, and everyone connected to it was admitted with
 * that tenant's token, so a user id alone names a person here.
 */
export function roomCounts(peers: ReadonlyArray<{ readonly user: string }>, elsewhere: Iterable<string> = []): RoomCounts {
  const users = new Set(peers.map((peer) => peer.user));
  for (const user of elsewhere) users.add(user);
  return { connections: peers.length, users: users.size };
}
