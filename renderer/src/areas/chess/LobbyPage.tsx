/**
 * The lobby: quick pairing by time control, a seek or challenge link with its own options, the
 * open seeks of others to join, one's own seeks and links to share or cancel, and live games to
 * watch. Everything is read from the lobby room's projection; every action is an intent.
 */
import { Alert, Badge, Button, Card, CopyButton, Group, NumberInput, SegmentedControl, SimpleGrid, Stack, Switch, Table, Text, TextInput, Title, UnstyledButton } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconCheck, IconCopy, IconEye, IconLink } from '@tabler/icons-react';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { chessJoinPath, type SeekRecord } from '../../../../shared/sync/layouts/chess.ts';
import type { ColorChoice } from '../../../../shared/domain/chess/lobby.ts';
import type { TimeControl } from '../../../../shared/domain/chess/time-control.ts';
import { useOnline } from '../../app/network.ts';
import { useEngine } from '../../app/RuntimeContext.tsx';
import type { EngineHandle } from '../../app/runtime.ts';
import { rememberPostedSeek, sendChessIntent, useLobby } from './data.ts';
import { rejectionText, SPEED_LABEL, timeControlLabel, timeControlWords } from './model/format.ts';
import { colorChoiceLabel, customTimeControl, joinerSide, lobbyFor, PRESET_LIST } from './model/lobby-view.ts';
import { speedOf } from '../../../../shared/domain/chess/time-control.ts';

type SeekOutcome = { readonly gameId: string } | { readonly seekId: string } | null;

/** Posts a seek (or joins one) and reports what happened; a game goes straight to its page. */
async function postSeek(engine: EngineHandle, payload: { timeControl: string | TimeControl; color: ColorChoice; rated: boolean; visibility: 'lobby' | 'link' }): Promise<SeekOutcome> {
  const decision = await sendChessIntent(engine, 'chess.seek', payload);
  if (decision.status !== 'accepted') {
    notifications.show({ color: 'red', message: rejectionText(decision) });
    return null;
  }
  const result = decision.result as { gameId?: string; seekId?: string } | undefined;
  if (result?.gameId) return { gameId: result.gameId };
  if (result?.seekId) {
    rememberPostedSeek(result.seekId);
    return { seekId: result.seekId };
  }
  return null;
}

export function challengeUrl(engine: EngineHandle, seekId: string): string {
  return new URL(chessJoinPath(seekId), engine.identity.serverUrl).toString();
}

function MySeeks({ engine, seeks, links }: { readonly engine: EngineHandle; readonly seeks: readonly SeekRecord[]; readonly links: readonly SeekRecord[] }) {
  const [busy, setBusy] = useState<string | null>(null);
  if (seeks.length === 0 && links.length === 0) return null;
  const cancel = async (seekId: string) => {
    setBusy(seekId);
    try {
      const decision = await sendChessIntent(engine, 'chess.cancelSeek', { seekId });
      if (decision.status !== 'accepted') notifications.show({ color: 'red', message: rejectionText(decision) });
    } finally {
      setBusy(null);
    }
  };
  return (
    <Card withBorder padding="md" data-testid="my-seeks">
      <Stack gap="xs">
        <Title order={3} size="h4">
          Waiting for an opponent
        </Title>
        {seeks.map((seek) => (
          <Group key={seek.id} justify="space-between" wrap="wrap" gap="xs">
            <Text role="status">
              {timeControlLabel(seek.timeControl)} · {colorChoiceLabel(seek.color)} · {seek.rated ? 'Rated' : 'Casual'}: looking for an opponent…
            </Text>
            <Button size="xs" variant="default" loading={busy === seek.id} onClick={() => void cancel(seek.id)} aria-label={`Cancel the ${timeControlLabel(seek.timeControl)} seek`}>
              Cancel
            </Button>
          </Group>
        ))}
        {links.map((seek) => {
          const url = challengeUrl(engine, seek.id);
          return (
            <Stack key={seek.id} gap={4}>
              <Text size="sm">
                Challenge link, {timeControlLabel(seek.timeControl)} · {colorChoiceLabel(seek.color)} · {seek.rated ? 'Rated' : 'Casual'}. Send it to a friend; stay in the Chess area until they join.
              </Text>
              <Group gap="xs" wrap="nowrap">
                <TextInput aria-label="Challenge link" value={url} readOnly style={{ flex: 1 }} onFocus={(event) => event.currentTarget.select()} data-testid="challenge-link" />
                <CopyButton value={url}>
                  {({ copied, copy }) => (
                    <Button variant="default" onClick={copy} leftSection={copied ? <IconCheck size={16} /> : <IconCopy size={16} />}>
                      {copied ? 'Copied' : 'Copy'}
                    </Button>
                  )}
                </CopyButton>
                <Button variant="default" loading={busy === seek.id} onClick={() => void cancel(seek.id)} aria-label="Cancel the challenge link">
                  Cancel
                </Button>
              </Group>
            </Stack>
          );
        })}
      </Stack>
    </Card>
  );
}

export function LobbyPage() {
  const engine = useEngine()!;
  const navigate = useNavigate();
  const online = useOnline();
  const lobby = useLobby();
  const guest = engine.identity.user.kind === 'guest';
  const [rated, setRated] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const [color, setColor] = useState<ColorChoice>('random');
  const [control, setControl] = useState<string>('5+0');
  const [minutes, setMinutes] = useState<number | string>(7);
  const [increment, setIncrement] = useState<number | string>(5);
  const me = engine.identity.user.id;
  const view = lobby ? lobbyFor(lobby.seeks, me, guest ? 'guest' : 'account') : null;
  const custom = customTimeControl({ minutes, incrementSeconds: increment });
  const wantsRated = rated && !guest;

  const run = async (key: string, action: () => Promise<SeekOutcome>) => {
    setBusy(key);
    try {
      const outcome = await action();
      if (outcome && 'gameId' in outcome) void navigate(`/chess/g/${outcome.gameId}`);
    } catch (cause) {
      notifications.show({ color: 'red', message: (cause as Error).message });
    } finally {
      setBusy(null);
    }
  };
  const quick = (id: string) => run(`quick:${id}`, () => postSeek(engine, { timeControl: id, color: 'random', rated: wantsRated, visibility: 'lobby' }));
  const create = (visibility: 'lobby' | 'link') => {
    const timeControl = control === 'custom' ? (custom.ok ? custom.value : null) : control;
    if (timeControl === null) return;
    void run(`create:${visibility}`, () => postSeek(engine, { timeControl, color, rated: wantsRated, visibility }));
  };
  const join = (seek: SeekRecord) =>
    run(`join:${seek.id}`, async () => {
      const decision = await sendChessIntent(engine, 'chess.acceptSeek', { seekId: seek.id });
      if (decision.status !== 'accepted') {
        notifications.show({ color: 'red', message: rejectionText(decision) });
        return null;
      }
      const result = decision.result as { gameId?: string } | undefined;
      return result?.gameId ? { gameId: result.gameId } : null;
    });

  return (
    <Stack gap="lg">
      {!online && (
        <Alert color="gray" variant="light" title="Offline">
          Pairing needs the server. Your finished games and the analysis board work offline.
        </Alert>
      )}
      <Card withBorder padding="md">
        <Stack gap="sm">
          <Group justify="space-between" wrap="wrap">
            <Title order={3} size="h4">
              Quick pairing
            </Title>
            <Switch
              label="Rated"
              checked={wantsRated}
              disabled={guest}
              description={guest ? 'Guests play casual games; an account keeps a rating.' : undefined}
              onChange={(event) => setRated(event.currentTarget.checked)}
            />
          </Group>
          <Text size="sm" c="dimmed">
            Pick a time control: you are paired with someone waiting for the same one, or your seek waits in the lobby.
          </Text>
          <SimpleGrid cols={{ base: 2, xs: 4 }} spacing="xs">
            {PRESET_LIST.map(({ id, tc }) => (
              <UnstyledButton
                key={id}
                onClick={() => void quick(id)}
                disabled={busy !== null}
                title={`Play ${timeControlWords(tc)}`}
                data-busy={busy === `quick:${id}`}
                style={{ border: '1px solid var(--mantine-color-default-border)', borderRadius: 8, padding: '12px 8px', textAlign: 'center', background: busy === `quick:${id}` ? 'var(--mantine-primary-color-light)' : 'var(--mantine-color-body)' }}
              >
                <Text fw={700} size="xl">
                  {id}
                </Text>
                <Text size="sm" c="dimmed">
                  {SPEED_LABEL[speedOf(tc)]}
                </Text>
              </UnstyledButton>
            ))}
            <UnstyledButton
              onClick={() => {
                setControl('custom');
                document.getElementById('chess-seek-form')?.scrollIntoView({ behavior: 'smooth' });
              }}
              title="Choose your own time control below"
              style={{ border: '1px dashed var(--mantine-color-default-border)', borderRadius: 8, padding: '12px 8px', textAlign: 'center' }}
            >
              <Text fw={700} size="xl">
                Custom
              </Text>
              <Text size="sm" c="dimmed">
                Your own
              </Text>
            </UnstyledButton>
          </SimpleGrid>
        </Stack>
      </Card>

      {view && <MySeeks engine={engine} seeks={view.mine} links={view.links} />}

      <Card withBorder padding="md" id="chess-seek-form">
        <Stack gap="sm">
          <Title order={3} size="h4">
            Create a game
          </Title>
          <Group gap="md" align="flex-end" wrap="wrap">
            <Stack gap={4}>
              <Text size="sm" fw={500} id="seek-control-label">
                Time control
              </Text>
              <SegmentedControl
                aria-labelledby="seek-control-label"
                value={control}
                onChange={setControl}
                data={[...PRESET_LIST.map(({ id }) => ({ value: id, label: id })), { value: 'custom', label: 'Custom' }]}
              />
            </Stack>
            {control === 'custom' && (
              <Group gap="xs" align="flex-start">
                <NumberInput label="Minutes per side" value={minutes} onChange={setMinutes} min={0.5} max={180} step={0.5} decimalScale={2} w={140} />
                <NumberInput label="Seconds per move" value={increment} onChange={setIncrement} min={0} max={180} w={140} />
              </Group>
            )}
          </Group>
          {control === 'custom' && !custom.ok && (
            <Text size="sm" c="red" role="alert">
              {custom.message}
            </Text>
          )}
          <Stack gap={4}>
            <Text size="sm" fw={500} id="seek-color-label">
              Your side
            </Text>
            <SegmentedControl
              aria-labelledby="seek-color-label"
              value={color}
              onChange={(value) => setColor(value as ColorChoice)}
              data={[
                { value: 'white', label: 'White' },
                { value: 'random', label: 'Random' },
                { value: 'black', label: 'Black' },
              ]}
            />
          </Stack>
          <Group gap="xs">
            <Button onClick={() => create('lobby')} loading={busy === 'create:lobby'} disabled={busy !== null || (control === 'custom' && !custom.ok)}>
              Post to the lobby
            </Button>
            <Button variant="default" leftSection={<IconLink size={16} />} onClick={() => create('link')} loading={busy === 'create:link'} disabled={busy !== null || (control === 'custom' && !custom.ok)}>
              Create a challenge link
            </Button>
          </Group>
          <Text size="sm" c="dimmed">
            {wantsRated ? 'Rated' : 'Casual'} game. A challenge link is not listed: only people you send it to can join.
          </Text>
        </Stack>
      </Card>

      <Card withBorder padding="md">
        <Stack gap="xs">
          <Title order={3} size="h4">
            Open seeks
          </Title>
          {view === null ? (
            <Text size="sm" c="dimmed">
              Loading the lobby…
            </Text>
          ) : view.open.length === 0 ? (
            <Text size="sm" c="dimmed" data-testid="no-seeks">
              Nobody is waiting right now. Pick a time control above and your seek shows here for others.
            </Text>
          ) : (
            <Table.ScrollContainer minWidth={420}>
              <Table aria-label="Open seeks" verticalSpacing={4}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Player</Table.Th>
                    <Table.Th>Time</Table.Th>
                    <Table.Th>Side</Table.Th>
                    <Table.Th>Mode</Table.Th>
                    <Table.Th aria-label="Action" />
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {view.open.map(({ seek, joinable, why }) => (
                    <Table.Tr key={seek.id}>
                      <Table.Td>
                        {seek.creator.displayName}
                        {seek.creator.rating !== null && (
                          <Text span size="sm" c="dimmed">
                            {' '}
                            {Math.round(seek.creator.rating)}
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td>{timeControlLabel(seek.timeControl)}</Table.Td>
                      <Table.Td>{joinerSide(seek.color)}</Table.Td>
                      <Table.Td>{seek.rated ? 'Rated' : 'Casual'}</Table.Td>
                      <Table.Td>
                        <Button size="xs" disabled={!joinable || busy !== null} loading={busy === `join:${seek.id}`} title={why ?? undefined} onClick={() => void join(seek)} aria-label={`Join ${seek.creator.displayName}'s ${timeControlLabel(seek.timeControl)} game`}>
                          Join
                        </Button>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </Stack>
      </Card>

      <Card withBorder padding="md">
        <Stack gap="xs">
          <Title order={3} size="h4">
            Live games
          </Title>
          {lobby === undefined ? null : lobby.games.length === 0 ? (
            <Text size="sm" c="dimmed" data-testid="no-live-games">
              No games are being played right now.
            </Text>
          ) : (
            <Stack gap={4} component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }} aria-label="Live games">
              {lobby.games.map((game) => {
                const mine = game.white.userId === me || game.black.userId === me;
                return (
                  <Group key={game.id} component="li" justify="space-between" wrap="wrap" gap="xs">
                    <Text>
                      {game.white.displayName} vs {game.black.displayName}{' '}
                      <Badge variant="light" size="sm">
                        {timeControlLabel(game.timeControl)}
                      </Badge>{' '}
                      {game.rated && (
                        <Badge variant="light" color="grape" size="sm">
                          Rated
                        </Badge>
                      )}
                    </Text>
                    <Button size="xs" variant="default" component={Link} to={`/chess/g/${game.id}`} leftSection={<IconEye size={14} />} aria-label={`${mine ? 'Open' : 'Watch'} ${game.white.displayName} vs ${game.black.displayName}`}>
                      {mine ? 'Open' : 'Watch'}
                    </Button>
                  </Group>
                );
              })}
            </Stack>
          )}
        </Stack>
      </Card>
    </Stack>
  );
}
