/** What every part of the chess referee shares: the games, the lobby mirror, chat limits, settings. */
import type { ChatLimiter } from './chat.ts';
import type { GameBook } from './game-book.ts';
import type { LobbyMirror } from './lobby-room.ts';
import type { ChessSettings } from './settings.ts';

export interface ChessCore {
  readonly book: GameBook;
  readonly lobby: LobbyMirror;
  readonly chat: ChatLimiter;
  readonly settings: ChessSettings;
}
