/**
 * Game chat through intents: the players' channel for the two players, the spectators' channel
 * in the game room; authored by the intent's author, plain text, length- and rate-limited.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CHAT_MAP, cleanChatText, readChat } from '../../../../shared/sync/layouts/chess.ts';
import { roomNames } from '../../../../shared/sync/rooms.ts';
import type { RunningServer } from '../../server.ts';
import { eventually, startTestServer } from '../../test-support/harness.ts';
import { CHESS_TEST_CONFIG, Player, startGame, storedDoc } from './test-support/players.ts';

let server: RunningServer;
const players: Player[] = [];
afterEach(async () => {
  for (const player of players.splice(0)) player.destroy();
  await server?.close();
});

async function join(role: 'member' | 'guest' = 'member', name?: string): Promise<Player> {
  const player = await Player.join(server, 'club', role, name);
  players.push(player);
  return player;
}

describe('game chat', () => {
  it('players talk in their own room, spectators in the game room, each under their own name', async () => {
    server = await startTestServer(CHESS_TEST_CONFIG);
    const [alice, bob, carol] = [await join('member', 'Alice'), await join('member', 'Bob'), await join('guest', 'Carol')];
    const gameId = await startGame(alice, bob);
    const privateRoom = await bob.open(roomNames.chessPlayers('club', gameId));
    const spectators = await carol.game(gameId);

    expect(await alice.act('chess.chat', { gameId, channel: 'players', text: 'good luck!' })).toMatchObject({ status: 'accepted', result: { messageId: expect.any(String) } });
    expect(await carol.act('chess.chat', { gameId, channel: 'spectators', text: '  <b>go</b>\u202e Bob\n' })).toMatchObject({ status: 'accepted' });
    expect(await carol.act('chess.chat', { gameId, channel: 'players', text: 'psst' })).toMatchObject({ status: 'rejected', reason: { code: 'not-a-player' } });
    expect(await carol.act('chess.chat', { gameId: 'nope', channel: 'spectators', text: 'hi' })).toMatchObject({ status: 'rejected', reason: { code: 'no-such-game' } });

    await eventually(() => expect(readChat(privateRoom).map((m) => [m.userId, m.displayName, m.text])).toEqual([[alice.id, 'Alice', 'good luck!']]));
    await eventually(() => expect(readChat(spectators).map((m) => [m.displayName, m.text])).toEqual([['Carol', '<b>go</b> Bob']]));
    expect((await storedDoc(server, roomNames.chessGame('club', gameId))).getMap(CHAT_MAP).size).toBe(1);
    // Writing the chat map directly is refused: only the server writes these rooms.
    spectators.getMap(CHAT_MAP).set('forged', { id: 'forged', userId: alice.id, displayName: 'Alice', text: 'I resign', at: 1 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await storedDoc(server, roomNames.chessGame('club', gameId))).getMap(CHAT_MAP).has('forged')).toBe(false);
  });

  it('limits length and rate', async () => {
    server = await startTestServer({ ...CHESS_TEST_CONFIG, chessChatLimit: 5, chessChatWindowMs: 1_000 });
    const [alice, bob] = [await join(), await join()];
    const gameId = await startGame(alice, bob);
    expect(await alice.act('chess.chat', { gameId, channel: 'players', text: 'x'.repeat(501) })).toMatchObject({ status: 'rejected', reason: { code: 'chat-too-long' } });
    expect(await alice.act('chess.chat', { gameId, channel: 'players', text: ' \n\t ' })).toMatchObject({ status: 'rejected', reason: { code: 'chat-empty' } });
    expect(await alice.act('chess.chat', { gameId, channel: 'players', text: 'x'.repeat(500) })).toMatchObject({ status: 'accepted' });
    const burst = await Promise.all(Array.from({ length: 6 }, (_unused, index) => alice.act('chess.chat', { gameId, channel: 'spectators', text: `gg ${index}` })));
    expect(burst.map((decision) => decision.status).sort()).toEqual(['accepted', 'accepted', 'accepted', 'accepted', 'rejected', 'rejected']);
    expect(burst.find((decision) => decision.status === 'rejected')?.reason?.code).toBe('rate-limited');
    // Bob has his own allowance.
    expect(await bob.act('chess.chat', { gameId, channel: 'players', text: 'gg' })).toMatchObject({ status: 'accepted' });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await alice.act('chess.chat', { gameId, channel: 'players', text: 'again' })).toMatchObject({ status: 'accepted' });
  });

  it('stores plain text: controls and direction overrides become spaces', () => {
    expect(cleanChatText('a\u0000b\u202ec\u2066d\r\ne  f')).toBe('a b c d e f');
    expect(cleanChatText('<script>alert(1)</script>')).toBe('<script>alert(1)</script>');
  });
});
