/**
 * Which projections each kind of room feeds. Opening a room anywhere in the app attaches these,
 * so every screen sees the same records for the same room.
 */
import type { RoomRef } from '../../../../shared/sync/rooms.ts';
import type { Projection } from '../projection.ts';
import { catalogProjection } from './catalog.ts';
import { chatMessagesProjection, chatMetaProjection, chatThreadsProjection } from './chat.ts';
import { chessChatProjection, chessGameProjection, chessLobbyProjection, chessStandingsProjection } from './chess.ts';
import { llmInboxProjection } from './llm.ts';
import { marketDetailProjection, marketsAccountProjection, marketsDirectoryProjection, marketsStandingsProjection, marketTradesProjection } from './markets.ts';
import { activeOrdersProjection, cartProjection, historyOrdersProjection, inboxOrdersProjection, monthOrdersProjection, stockProjection } from './shop.ts';
import { userSettingsProjection } from './user-settings.ts';

export function projectionsFor(room: RoomRef): Projection[] {
  switch (room.kind) {
    case 'user':
      return [userSettingsProjection, cartProjection, chatThreadsProjection];
    case 'inbox':
      return [inboxOrdersProjection, llmInboxProjection, marketsAccountProjection];
    case 'history':
      return [historyOrdersProjection];
    case 'chat':
      return [chatMetaProjection, chatMessagesProjection];
    case 'catalog':
      return [catalogProjection];
    case 'stock':
      return [stockProjection];
    case 'orders':
      return room.month === null ? [activeOrdersProjection] : [monthOrdersProjection];
    case 'lobby':
      return [chessLobbyProjection];
    case 'chess-game':
      return [chessGameProjection, chessChatProjection];
    case 'chess-players':
      return [chessChatProjection];
    case 'markets':
      return [marketsDirectoryProjection];
    case 'market':
      return [marketDetailProjection, marketTradesProjection];
    case 'market-trades':
      return [marketTradesProjection];
    case 'standings':
      return room.board === 'chess' ? [chessStandingsProjection] : [marketsStandingsProjection];
    default:
      return [];
  }
}
