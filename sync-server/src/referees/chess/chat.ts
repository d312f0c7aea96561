/**
 * Chat in a game: the players' room for the two players, the game room for spectators (anyone
 * who can open it). Through intents only, so nobody can post as someone else; plain text,
 * length- and rate-limited, the last `CHAT_TAIL` messages kept.
 */
import { colorOf } from '../../../../shared/domain/chess/game.ts';
import { CHAT_MAP, CHAT_MAX_LENGTH, CHAT_TAIL, cleanChatText, type ChatChannel, type ChatMessage } from '../../../../shared/sync/layouts/chess.ts';
import { roomNames } from '../../../../shared/sync/rooms.ts';
import type { Author, Outcome } from '../../intents/referee.ts';
import type { ChessCore } from './core.ts';
import { rejected } from './outcome.ts';
import type { ChessTx } from './tx.ts';

/** At most `limit` messages per user in any `windowMs` (in memory: a restart forgets it). */
export class ChatLimiter {
  private readonly sent = new Map<string, number[]>();
  private readonly limit: number;
  private readonly windowMs: number;

  constructor(limit: number, windowMs: number) {
    this.limit = limit;
    this.windowMs = windowMs;
  }

  /** Counts a message at `now` if the user is under the limit. */
  take(key: string, now: number): boolean {
    const recent = (this.sent.get(key) ?? []).filter((at) => now - at < this.windowMs);
    if (recent.length >= this.limit) {
      this.sent.set(key, recent);
      return false;
    }
    recent.push(now);
    this.sent.set(key, recent);
    if (this.sent.size > 10_000) this.prune(now);
    return true;
  }

  private prune(now: number): void {
    for (const [key, times] of this.sent) if (times.every((at) => now - at >= this.windowMs)) this.sent.delete(key);
  }
}

export interface ChatInput {
  readonly gameId: string;
  readonly channel: ChatChannel;
  readonly text: string;
}

export function postChat(tx: ChessTx, core: ChessCore, author: Author, input: ChatInput, messageId: string): Outcome {
  const entry = core.book.load(tx, input.gameId);
  if (entry === null) return rejected('no-such-game', 'there is no such game');
  if (input.channel === 'players' && colorOf(entry.record, author.user) === null) return rejected('not-a-player', 'only the two players write in the players’ chat');
  const text = cleanChatText(input.text);
  if (text === '') return rejected('chat-empty', 'the message is empty');
  if (text.length > CHAT_MAX_LENGTH) return rejected('chat-too-long', `a message has at most ${CHAT_MAX_LENGTH} characters`);
  if (!core.chat.take(`${tx.tenant}\u0000${author.user}`, tx.now)) return rejected('rate-limited', 'you are sending messages too fast; wait a few seconds');
  const room = input.channel === 'players' ? roomNames.chessPlayers(tx.tenant, input.gameId) : entry.room;
  const message: ChatMessage = { id: messageId, userId: author.user, displayName: author.name.slice(0, 200), text, at: tx.now };
  tx.ctx.write(room, (doc) => {
    const map = doc.getMap(CHAT_MAP);
    map.set(message.id, message);
    if (map.size > CHAT_TAIL) {
      const oldest = [...map.entries()]
        .map(([key, value]) => ({ key, at: typeof (value as { at?: unknown })?.at === 'number' ? (value as { at: number }).at : 0 }))
        .sort((a, b) => a.at - b.at || a.key.localeCompare(b.key))
        .slice(0, map.size - CHAT_TAIL);
      for (const { key } of oldest) map.delete(key);
    }
  });
  return { status: 'accepted', result: { messageId } };
}
