/**
 * The lobby as one person sees it: the open seeks they may join, their own seeks and challenge
 * links, whether a seek of theirs has become a game, and the words for a seek's options. Pure.
 */
import type { LiveGameEntry, SeekRecord } from '../../../../../shared/sync/layouts/chess.ts';
import type { AccountKind, ColorChoice } from '../../../../../shared/domain/chess/lobby.ts';
import { parseTimeControl, TIME_CONTROL_PRESETS, timeControlId, type TimeControl } from '../../../../../shared/domain/chess/time-control.ts';

export interface LobbyFor {
  /** Lobby seeks of other players, oldest first, with whether this person may join each. */
  readonly open: ReadonlyArray<{ readonly seek: SeekRecord; readonly joinable: boolean; readonly why: string | null }>;
  /** This person's own lobby seeks. */
  readonly mine: readonly SeekRecord[];
  /** This person's own challenge links. */
  readonly links: readonly SeekRecord[];
}

export function lobbyFor(seeks: readonly SeekRecord[], userId: string, kind: AccountKind): LobbyFor {
  const open: Array<LobbyFor['open'][number]> = [];
  const mine: SeekRecord[] = [];
  const links: SeekRecord[] = [];
  for (const seek of seeks) {
    if (seek.creator.userId === userId) {
      (seek.visibility === 'link' ? links : mine).push(seek);
      continue;
    }
    if (seek.visibility !== 'lobby') continue;
    const why = seek.rated && kind === 'guest' ? 'Rated games need an account' : null;
    open.push({ seek, joinable: why === null, why });
  }
  return { open, mine, links };
}

/** The game a seek of this person turned into, once the lobby lists it. */
export function gameFromSeek(games: readonly LiveGameEntry[], seekId: string): LiveGameEntry | null {
  return games.find((game) => game.fromSeek === seekId) ?? null;
}

/** "Random side", "White", "Black": the side the seek's creator asked for. */
export function colorChoiceLabel(choice: ColorChoice): string {
  return choice === 'random' ? 'Random side' : choice === 'white' ? 'White' : 'Black';
}

/** The side the joining player gets: the opposite of the creator's choice. */
export function joinerSide(choice: ColorChoice): string {
  return choice === 'random' ? 'random side' : choice === 'white' ? 'you play Black' : 'you play White';
}

export interface CustomTimeControlInput {
  readonly minutes: number | string;
  readonly incrementSeconds: number | string;
}

/** A custom control typed in the lobby, checked with the domain's own rule before sending. */
export function customTimeControl(input: CustomTimeControlInput): { readonly ok: true; readonly value: TimeControl; readonly id: string } | { readonly ok: false; readonly message: string } {
  const minutes = typeof input.minutes === 'number' ? input.minutes : Number.parseFloat(input.minutes);
  const increment = typeof input.incrementSeconds === 'number' ? input.incrementSeconds : Number.parseFloat(input.incrementSeconds);
  if (!Number.isFinite(minutes) || !Number.isFinite(increment)) return { ok: false, message: 'Enter the minutes per side and the seconds added per move.' };
  const parsed = parseTimeControl({ initialMs: Math.round(minutes * 60_000), incrementMs: Math.round(increment * 1000) });
  if (!parsed.ok) return { ok: false, message: parsed.error.message.charAt(0).toUpperCase() + parsed.error.message.slice(1) + '.' };
  return { ok: true, value: parsed.value, id: timeControlId(parsed.value) };
}

export const PRESET_LIST: ReadonlyArray<{ readonly id: string; readonly tc: TimeControl }> = Object.entries(TIME_CONTROL_PRESETS).map(([id, tc]) => ({ id, tc }));
