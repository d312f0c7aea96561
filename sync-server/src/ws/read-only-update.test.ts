import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { isEmptyUpdate } from '../rooms/room.ts';
import { changesDoc } from './read-only-update.ts';

/** A room doc whose fields were overwritten (so it holds deletions) and a reader that has all of it. */
function roomAndReader(): { room: Y.Doc; reader: Y.Doc } {
  const room = new Y.Doc();
  const game = room.getMap('game');
  for (let ply = 0; ply < 5; ply += 1) {
    game.set('fen', `position ${ply}`);
    room.getArray('moves').push([`m${ply}`]);
  }
  room.getArray('moves').delete(0, 2);
  const reader = new Y.Doc();
  Y.applyUpdate(reader, Y.encodeStateAsUpdate(room));
  return { room, reader };
}

/** What a stock client answers to the server's sync step 1. */
const answer = (reader: Y.Doc, room: Y.Doc) => Y.encodeStateAsUpdate(reader, Y.encodeStateVector(room));

describe('changesDoc: a read-only peer\'s update', () => {
  it('the stock answer of a reader that holds only the room\'s content is not empty, yet changes nothing', () => {
    const { room, reader } = roomAndReader();
    const update = answer(reader, room);
    expect(isEmptyUpdate(update)).toBe(false);
    expect(changesDoc(room, update)).toBe(false);
  });

  it('an empty update changes nothing', () => {
    const { room } = roomAndReader();
    expect(changesDoc(room, Y.encodeStateAsUpdate(new Y.Doc()))).toBe(false);
  });

  it('so does a whole copy of the room (every struct already there)', () => {
    const { room, reader } = roomAndReader();
    expect(changesDoc(room, Y.encodeStateAsUpdate(reader))).toBe(false);
  });

  it('still does after the room went on without the reader (it lags behind)', () => {
    const { room, reader } = roomAndReader();
    room.getMap('game').set('fen', 'later');
    room.getArray('moves').delete(0, 1);
    expect(changesDoc(room, answer(reader, room))).toBe(false);
  });

  it('a new struct is a write', () => {
    const { room, reader } = roomAndReader();
    reader.getMap('game').set('result', '1-0');
    expect(changesDoc(room, answer(reader, room))).toBe(true);
  });

  it('a struct that extends one the room has is a write', () => {
    const { room, reader } = roomAndReader();
    const text = reader.getText('note');
    text.insert(0, 'ab');
    Y.applyUpdate(room, Y.encodeStateAsUpdate(reader));
    text.insert(2, 'cd');
    // The whole run from clock 0, part of which the room already has.
    expect(changesDoc(room, Y.encodeStateAsUpdate(reader))).toBe(true);
  });

  it('deleting what the room has not deleted is a write, even with no new struct', () => {
    const { room, reader } = roomAndReader();
    const before = Y.encodeStateVector(reader);
    reader.getArray('moves').delete(0, 1);
    const update = Y.encodeStateAsUpdate(reader, before);
    expect(Y.decodeUpdate(update).structs).toHaveLength(0);
    expect(changesDoc(room, update)).toBe(true);
  });

  it('deleting a range the room has only partly deleted is a write', () => {
    const room = new Y.Doc();
    room.getText('note').insert(0, 'abcdef');
    const reader = new Y.Doc();
    Y.applyUpdate(reader, Y.encodeStateAsUpdate(room));
    room.getText('note').delete(0, 2);
    reader.getText('note').delete(0, 3);
    const update = answer(reader, room);
    // One range, clocks 0–2, of which the room deleted 0–1.
    expect([...Y.decodeUpdate(update).ds.clients.values()].flat()).toEqual([expect.objectContaining({ clock: 0, len: 3 })]);
    expect(changesDoc(room, update)).toBe(true);
    room.getText('note').delete(0, 1);
    expect(changesDoc(room, update)).toBe(false);
  });

  it('deleting what the room does not have yet is a write (Yjs keeps it pending)', () => {
    const { room } = roomAndReader();
    const other = new Y.Doc();
    other.getArray('moves').push(['x']);
    const insert = Y.encodeStateAsUpdate(other);
    const before = Y.encodeStateVector(other);
    other.getArray('moves').delete(0, 1);
    const deletion = Y.encodeStateAsUpdate(other, before);
    expect(changesDoc(room, deletion)).toBe(true);
    Y.applyUpdate(room, insert);
    expect(changesDoc(room, deletion)).toBe(true);
    Y.applyUpdate(room, deletion);
    expect(changesDoc(room, deletion)).toBe(false);
  });
});
