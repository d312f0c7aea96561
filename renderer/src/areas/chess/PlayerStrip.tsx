/** One side of the board: the player's name and rating, whether they are connected, their material lead and their clock. */
import { Badge, Group, Paper, Text } from '@mantine/core';
import type { ChessPlayer } from '../../../../shared/domain/chess/game.ts';
import type { MaterialSummary } from '../../../../shared/domain/chess/material.ts';
import { MATERIAL_ROLES } from '../../../../shared/domain/chess/material.ts';
import type { Color } from '../../../../shared/domain/chess/types.ts';
import { PIECE_GLYPH } from './model/board-geometry.ts';
import type { ClockFace } from './model/clock-view.ts';
import { COLOR_NAME, formatClock } from './model/format.ts';

export type Presence = 'online' | 'offline' | 'unknown';

export interface PlayerStripProps {
  readonly color: Color;
  readonly player: ChessPlayer;
  readonly isMe: boolean;
  readonly presence: Presence;
  readonly clock: ClockFace | null;
  readonly low: boolean;
  readonly material: MaterialSummary | null;
}

export function PlayerStrip({ color, player, isMe, presence, clock, low, material }: PlayerStripProps) {
  const lead = material === null ? 0 : color === 'white' ? material.advantage : -material.advantage;
  const captured = material === null ? [] : MATERIAL_ROLES.flatMap((role) => Array.from({ length: material.imbalance[color][role] }, () => PIECE_GLYPH[role]));
  return (
    <Group justify="space-between" wrap="nowrap" gap="xs" data-testid={`player-${color}`} aria-label={`${COLOR_NAME[color]}: ${player.displayName}`} role="group">
      <Group gap={6} wrap="nowrap" style={{ minWidth: 0 }}>
        <span aria-hidden style={{ width: 12, height: 12, borderRadius: 2, flex: 'none', border: '1px solid #555', background: color === 'white' ? '#fafafa' : '#222' }} />
        <Text fw={600} truncate="end">
          {player.displayName}
          {isMe ? ' (you)' : ''}
        </Text>
        {player.rating !== null && (
          <Text size="sm" c="dimmed">
            {Math.round(player.rating)}
          </Text>
        )}
        {presence !== 'unknown' && (
          <Badge size="sm" variant="filled" color={presence === 'online' ? 'teal.9' : 'red.9'} data-testid={`presence-${color}`}>
            {presence === 'online' ? 'Online' : 'Offline'}
          </Badge>
        )}
        {(captured.length > 0 || lead > 0) && (
          <Text size="sm" c="dimmed" aria-label={lead > 0 ? `${COLOR_NAME[color]} is ${lead} points of material ahead` : 'Material'} style={{ whiteSpace: 'nowrap' }}>
            <span aria-hidden>{captured.join('')}</span>
            {lead > 0 ? ` +${lead}` : ''}
          </Text>
        )}
      </Group>
      {clock && (
        <Paper
          px="sm"
          py={2}
          withBorder
          role="timer"
          aria-label={`${COLOR_NAME[color]} clock`}
          data-testid={`clock-${color}`}
          data-running={clock.running}
          style={{
            fontFamily: 'var(--mantine-font-family-monospace)',
            fontSize: 22,
            fontWeight: 700,
            minWidth: 96,
            textAlign: 'right',
            background: clock.running ? (low ? 'var(--mantine-color-red-light)' : 'var(--mantine-primary-color-light)') : undefined,
            color: low ? 'var(--mantine-color-red-text)' : undefined,
          }}
        >
          {formatClock(clock.ms)}
        </Paper>
      )}
    </Group>
  );
}
