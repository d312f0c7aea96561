/**
 * A challenge link (`/chess/join/:seekId`): who invited you, with what clock and side, and a
 * button to join. Joining needs no account: the area gives signed-out visitors a guest session
 * first. When the lobby has not shown the challenge (yet), joining is still offered: the server
 * answers either way.
 */
import { Alert, Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useEngine } from '../../app/RuntimeContext.tsx';
import { sendChessIntent, useLobby } from './data.ts';
import { rejectionText, timeControlWords, timeControlLabel } from './model/format.ts';
import { joinerSide } from './model/lobby-view.ts';
import { challengeUrl } from './LobbyPage.tsx';

export function JoinPage() {
  const engine = useEngine()!;
  const { seekId = '' } = useParams();
  const navigate = useNavigate();
  const lobby = useLobby();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const seek = lobby?.seeks.find((candidate) => candidate.id === seekId) ?? null;
  const own = seek !== null && seek.creator.userId === engine.identity.user.id;

  const join = async () => {
    setBusy(true);
    setError(null);
    try {
      const decision = await sendChessIntent(engine, 'chess.acceptSeek', { seekId });
      const result = decision.result as { gameId?: string } | undefined;
      if (decision.status === 'accepted' && result?.gameId) void navigate(`/chess/g/${result.gameId}`, { replace: true });
      else setError(rejectionText(decision));
    } catch (cause) {
      setError((cause as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card withBorder padding="lg" maw={640}>
      <Stack gap="sm">
        <Title order={3} size="h4">
          {own ? 'Your challenge link' : 'A challenge'}
        </Title>
        {seek ? (
          <Text data-testid="challenge-details">
            {own ? 'You' : seek.creator.displayName} {own ? 'offer' : 'offers'} a {seek.rated ? 'rated' : 'casual'} {timeControlLabel(seek.timeControl)} game ({timeControlWords(seek.timeControl)}); {own ? `your side: ${seek.color}` : joinerSide(seek.color)}.
          </Text>
        ) : (
          <Text c="dimmed">{lobby === undefined ? 'Looking for this challenge…' : 'This challenge is not in the lobby as this device sees it. You can still try to join.'}</Text>
        )}
        {own ? (
          <Text size="sm">
            Send this link to a friend: {challengeUrl(engine, seekId)}. Stay in the Chess area until they join; leaving withdraws it.
          </Text>
        ) : (
          <Group>
            <Button onClick={() => void join()} loading={busy}>
              Accept the challenge
            </Button>
            <Button variant="default" component={Link} to="/chess">
              Go to the lobby
            </Button>
          </Group>
        )}
        {error && (
          <Alert color="red" variant="light" role="alert">
            {error}
          </Alert>
        )}
      </Stack>
    </Card>
  );
}
