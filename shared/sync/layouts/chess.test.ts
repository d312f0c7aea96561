import { describe, expect, it, test } from 'vitest';
import * as Y from 'yjs';
import { newGame } from '../../domain/chess/test-support/fixtures.ts';
import { decide } from '../../domain/chess/referee.ts';
import { expectOk } from '../../domain/result.ts';
import {
  chessJoinPath,
  cleanChatText,
  GAME_MAP,
  GAME_MOVES,
  parseChessIntent,
  readChatMessage,
  readGameRoom,
  readLobby,
  readSeek,
  readStandingsEntry,
  writeGameRoom,
  type ChessGameRecord,
} from './chess.ts';

function gameRecord(): ChessGameRecord {
  return { ...newGame(), rev: 1, speed: 'blitz', kinds: { white: 'account', black: 'account' }, disconnect: { white: null, black: null }, disconnectGraceMs: 30_000, rematch: null, ratingChange: null, lastEvents: [], resumedAt: null };
}

describe('the game room', () => {
  it('round-trips a record through the Y.Doc, appending moves and touching only changed fields', () => {
    const doc = new Y.Doc();
    let record = gameRecord();
    doc.transact(() => writeGameRoom(doc, null, record));
    expect(expectOk(readGameRoom(doc))).toEqual(record);
    const updates: Uint8Array[] = [];
    doc.on('update', (update: Uint8Array) => updates.push(update));
    for (const [index, uci] of ['e2e4', 'e7e5', 'g1f3'].entries()) {
      const decided = expectOk(decide(record, { type: 'move', gameId: record.id, expectedPly: index, move: uci }, { kind: 'user', tenantId: record.tenantId, userId: index % 2 === 0 ? 'alice' : 'bob' }, record.createdAt + 1_000 * (index + 1)));
      const next: ChessGameRecord = { ...record, ...decided.state, rev: record.rev + 1, lastEvents: decided.events };
      doc.transact(() => writeGameRoom(doc, record, next));
      record = next;
    }
    expect(expectOk(readGameRoom(doc))).toEqual(record);
    expect((doc.getMap(GAME_MAP).get(GAME_MOVES) as Y.Array<unknown>).length).toBe(3);
    // A move is a small update: the new move and the changed fields, never the whole game.
    expect(Math.max(...updates.map((update) => update.length))).toBeLessThan(900);
    const copy = new Y.Doc();
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
    expect(expectOk(readGameRoom(copy))).toEqual(record);
  });

  it('says when there is no game, and refuses a damaged one', () => {
    expect(readGameRoom(new Y.Doc())).toMatchObject({ ok: false, error: { code: 'no-game' } });
    const doc = new Y.Doc();
    doc.transact(() => writeGameRoom(doc, null, gameRecord()));
    doc.getMap(GAME_MAP).set('status', 'exploded');
    expect(readGameRoom(doc)).toMatchObject({ ok: false, error: { code: 'invalid-record', message: expect.stringContaining('status') } });
  });

  it('reads a game room written before it carried the disconnect grace (the server setting applies), and refuses a negative grace', () => {
    const doc = new Y.Doc();
    doc.transact(() => writeGameRoom(doc, null, gameRecord()));
    doc.getMap(GAME_MAP).delete('disconnectGraceMs');
    expect(expectOk(readGameRoom(doc)).disconnectGraceMs).toBeNull();
    doc.getMap(GAME_MAP).set('disconnectGraceMs', -1);
    expect(readGameRoom(doc)).toMatchObject({ ok: false, error: { code: 'invalid-record', message: expect.stringContaining('disconnectGraceMs') } });
  });
});

describe('records from the wire', () => {
  const seek = { id: 's1', tenantId: 'club', creator: { userId: 'u1', displayName: 'Ann', kind: 'guest', rating: null }, timeControl: { initialMs: 180_000, incrementMs: 2_000 }, color: 'random', rated: false, createdAt: 1, visibility: 'lobby' };

  test.each([
    ['a valid seek', 's1', seek, true],
    ['another key', 's2', seek, false],
    ['an extra field', 's1', { ...seek, admin: true }, false],
    ['a bad colour', 's1', { ...seek, color: 'green' }, false],
    ['not an object', 's1', 'seek', false],
    ['null', 's1', null, false],
  ])('readSeek: %s', (_name, key, value, valid) => {
    expect(readSeek(key, value).ok).toBe(valid);
  });

  it('hides broken lobby entries and reports them', () => {
    const doc = new Y.Doc();
    doc.getMap('seeks').set('s1', seek);
    doc.getMap('seeks').set('bad', { id: 'bad' });
    doc.getMap('games').set('g1', 42);
    const lobby = readLobby(doc);
    expect(lobby.seeks.map((entry) => entry.id)).toEqual(['s1']);
    expect(lobby.hidden.map((entry) => entry.key).sort()).toEqual(['games.g1', 'seeks.bad']);
  });

  it('reads chat messages and standings entries strictly', () => {
    expect(readChatMessage('m1', { id: 'm1', userId: 'u1', displayName: 'Ann', text: 'hi', at: 5 }).ok).toBe(true);
    expect(readChatMessage('m1', { id: 'm1', userId: 'u1', displayName: 'Ann', text: 'x'.repeat(501), at: 5 }).ok).toBe(false);
    expect(readChatMessage('m1', { id: 'm1', userId: 'u1', displayName: 'Ann', text: '', at: 5 }).ok).toBe(false);
    const perf = { rating: 1500, rd: 350, volatility: 0.06, games: 0, wins: 0, losses: 0, draws: 0 };
    expect(readStandingsEntry('u1', { userId: 'u1', displayName: 'Ann', perfs: { blitz: perf }, updatedAt: 1 }).ok).toBe(true);
    expect(readStandingsEntry('u1', { userId: 'u1', displayName: 'Ann', perfs: { hyper: perf }, updatedAt: 1 }).ok).toBe(false);
    expect(readStandingsEntry('u2', { userId: 'u1', displayName: 'Ann', perfs: {}, updatedAt: 1 })).toMatchObject({ ok: false, error: { code: 'id-mismatch' } });
  });
});

describe('intent payloads', () => {
  test.each([
    ['chess.seek', { timeControl: '3+2' }, true],
    ['chess.seek', { timeControl: { initialMs: 60_000, incrementMs: 0 }, color: 'black', rated: true, visibility: 'link' }, true],
    ['chess.seek', { timeControl: 3 }, false],
    ['chess.seek', { timeControl: '3+2', extra: 1 }, false],
    ['chess.acceptSeek', { seekId: 'sAbc_-1' }, true],
    ['chess.acceptSeek', { seekId: '../etc' }, false],
    ['chess.move', { gameId: 'g1', expectedPly: 0, move: 'e2e4' }, true],
    ['chess.move', { gameId: 'g1', expectedPly: 0, move: { from: 'e7', to: 'e8', promotion: 'q' } }, true],
    ['chess.move', { gameId: 'g1', expectedPly: -1, move: 'e2e4' }, false],
    ['chess.move', { gameId: 'g1', expectedPly: 0, move: { from: 'e7', to: 'e8', promotion: 'k' } }, false],
    ['chess.resign', { gameId: 'g1' }, true],
    ['chess.resign', {}, false],
    ['chess.chat', { gameId: 'g1', channel: 'players', text: 'hi' }, true],
    ['chess.chat', { gameId: 'g1', channel: 'everyone', text: 'hi' }, false],
    ['chess.chat', { gameId: 'g1', channel: 'players', text: 42 }, false],
  ] as const)('%s %j → valid: %s', (kind, payload, valid) => {
    const parsed = parseChessIntent(kind, payload);
    expect(parsed.ok).toBe(valid);
    if (!parsed.ok) expect(parsed.error.message.length).toBeGreaterThan(3);
  });

  it('fills defaults for a quick seek', () => {
    expect(expectOk(parseChessIntent('chess.seek', { timeControl: '5+0' }))).toEqual({ timeControl: '5+0', color: 'random', rated: false, visibility: 'lobby' });
  });

  it('gives the join path of a challenge link and cleans chat text', () => {
    expect(chessJoinPath('sAbc')).toBe('/chess/join/sAbc');
    expect(cleanChatText('  gg\u200f wp \u0007 ')).toBe('gg wp');
  });
});
