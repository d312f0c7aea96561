/** A player's buttons for the game's state: abort, resign, draw offers, rematch. */
import { Button, Group, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import type { ChessGameRecord, ChessIntentKind } from '../../../../shared/sync/layouts/chess.ts';
import { opposite, type Color } from '../../../../shared/domain/chess/types.ts';
import { useEngine } from '../../app/RuntimeContext.tsx';
import { sendChessIntent } from './data.ts';
import { rejectionText } from './model/format.ts';

type GameCommand = Extract<ChessIntentKind, 'chess.resign' | 'chess.offerDraw' | 'chess.acceptDraw' | 'chess.declineDraw' | 'chess.abort' | 'chess.rematch' | 'chess.declineRematch'>;

export function GameActions({ record, me }: { readonly record: ChessGameRecord; readonly me: Color }) {
  const engine = useEngine();
  const [busy, setBusy] = useState<GameCommand | null>(null);
  const [confirmResign, setConfirmResign] = useState(false);
  useEffect(() => {
    if (!confirmResign) return undefined;
    const timer = setTimeout(() => setConfirmResign(false), 4000);
    return () => clearTimeout(timer);
  }, [confirmResign]);

  const run = async (kind: GameCommand) => {
    if (!engine) return;
    setBusy(kind);
    try {
      const decision = await sendChessIntent(engine, kind, { gameId: record.id });
      if (decision.status !== 'accepted') notifications.show({ color: 'red', message: rejectionText(decision) });
    } catch (cause) {
      notifications.show({ color: 'red', message: (cause as Error).message });
    } finally {
      setBusy(null);
    }
  };
  const button = (kind: GameCommand, label: string, extra: { color?: string; variant?: string; disabled?: boolean } = {}) => (
    <Button key={kind} size="xs" variant={extra.variant ?? 'default'} color={extra.color} loading={busy === kind} disabled={extra.disabled === true || (busy !== null && busy !== kind)} onClick={() => void run(kind)}>
      {label}
    </Button>
  );

  const them = opposite(me);
  if (record.status === 'waiting-first-move') {
    return <Group gap="xs">{button('chess.abort', 'Abort game')}</Group>;
  }
  if (record.status === 'active') {
    const offer = record.drawOffer;
    return (
      <Group gap="xs">
        {confirmResign ? (
          <Button size="xs" color="red" loading={busy === 'chess.resign'} onClick={() => void run('chess.resign')}>
            Confirm resignation
          </Button>
        ) : (
          <Button size="xs" variant="default" onClick={() => setConfirmResign(true)} disabled={busy !== null}>
            Resign
          </Button>
        )}
        {offer?.by === them ? (
          <>
            <Text size="sm" fw={600} role="status">
              Your opponent offers a draw.
            </Text>
            {button('chess.acceptDraw', 'Accept draw', { variant: 'filled', color: 'teal' })}
            {button('chess.declineDraw', 'Decline draw')}
          </>
        ) : offer?.by === me ? (
          <Button size="xs" variant="default" disabled>
            Draw offered
          </Button>
        ) : (
          button('chess.offerDraw', 'Offer draw')
        )}
      </Group>
    );
  }
  const rematch = record.rematch;
  return (
    <Group gap="xs">
      {rematch?.status === 'offered' && rematch.by === them ? (
        <>
          <Text size="sm" fw={600} role="status">
            Your opponent wants a rematch.
          </Text>
          {button('chess.rematch', 'Accept rematch', { variant: 'filled' })}
          {button('chess.declineRematch', 'Decline rematch')}
        </>
      ) : rematch?.status === 'offered' && rematch.by === me ? (
        <>
          <Button size="xs" variant="default" disabled>
            Rematch offered
          </Button>
          {button('chess.declineRematch', 'Cancel rematch')}
        </>
      ) : rematch?.status === 'accepted' ? (
        <Button size="xs" component={Link} to={`/chess/g/${rematch.nextGameId}`}>
          Go to the rematch
        </Button>
      ) : (
        <>
          {button('chess.rematch', 'Rematch', { variant: 'filled' })}
          {rematch?.status === 'declined' && rematch.by === them && (
            <Text size="sm" c="dimmed">
              Your opponent declined the rematch.
            </Text>
          )}
        </>
      )}
      <Button size="xs" variant="default" component={Link} to="/chess">
        New opponent
      </Button>
    </Group>
  );
}
