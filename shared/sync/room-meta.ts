/**
 * Every room carries a layout version in its `_meta` map, written by the server when the room is
 * first created. A client that finds a newer version than it knows asks its user to update and
 * stops projecting that room rather than misreading it.
 */
import type * as Y from 'yjs';

export const ROOM_META = '_meta';
export const ROOM_LAYOUT_VERSION = 1;

export function roomLayoutVersion(doc: Y.Doc): number | null {
  const value = doc.getMap(ROOM_META).get('v');
  return typeof value === 'number' ? value : null;
}

export function isRoomReadable(doc: Y.Doc): boolean {
  const version = roomLayoutVersion(doc);
  return version === null || version <= ROOM_LAYOUT_VERSION;
}
