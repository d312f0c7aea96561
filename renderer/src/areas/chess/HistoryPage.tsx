/**
 * Finished games on this device (the `games` collection keeps them after their rooms close):
 * a list, and a replay of one with move navigation, the clocks of each moment, PGN and FEN. All
 * of it reads RxDB only, so it works offline.
 */
import { ActionIcon, Alert, Badge, Button, Grid, Group, Loader, Paper, Stack, Table, Text, Title, Tooltip } from '@mantine/core';
import { IconArrowsUpDown, IconBook2 } from '@tabler/icons-react';
import { useEffect, useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import { colorOf } from '../../../../shared/domain/chess/game.ts';
import { materialSummary, piecesOfFen } from '../../../../shared/domain/chess/material.ts';
import { fenAt } from '../../../../shared/domain/chess/pgn.ts';
import { opposite, type Color } from '../../../../shared/domain/chess/types.ts';
import { useEngine } from '../../app/RuntimeContext.tsx';
import { Board } from './Board.tsx';
import { useFinishedGames, useGame } from './data.ts';
import { ExportPanel } from './ExportPanel.tsx';
import { clocksAtPly } from './model/clock-view.ts';
import { COLOR_NAME, outcomeFor, pairingLabel, resultLabel, terminationText, timeControlLabel } from './model/format.ts';
import { positionOf, squaresOf } from './model/position.ts';
import { MoveList } from './MoveList.tsx';
import { PlayerStrip } from './PlayerStrip.tsx';

const DATE = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function HistoryPage() {
  const engine = useEngine()!;
  const games = useFinishedGames();
  const me = engine.identity.user.id;
  if (games === undefined) return <Loader aria-label="Loading your games" />;
  if (games.length === 0) {
    return (
      <Alert color="gray" variant="light" title="No finished games yet" data-testid="history-empty">
        Games you play or watch to the end are kept on this device, to replay and export even offline. <Link to="/chess">Find an opponent in the lobby</Link>.
      </Alert>
    );
  }
  return (
    <Table.ScrollContainer minWidth={560}>
      <Table aria-label="Finished games" verticalSpacing={6} striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Ended</Table.Th>
            <Table.Th>Players</Table.Th>
            <Table.Th>Result</Table.Th>
            <Table.Th>Time</Table.Th>
            <Table.Th aria-label="Action" />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {games.map((game) => {
            const color = colorOf(game, me);
            const outcome = color === null ? null : outcomeFor(game, color);
            return (
              <Table.Tr key={game.id}>
                <Table.Td>{DATE.format(game.endedAt ?? game.createdAt)}</Table.Td>
                <Table.Td>{pairingLabel(game)}</Table.Td>
                <Table.Td>
                  <Text size="sm" fw={600}>
                    {resultLabel(game.result)}
                    {outcome === 'won' && ' · you won'}
                    {outcome === 'lost' && ' · you lost'}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {terminationText(game)}
                  </Text>
                </Table.Td>
                <Table.Td>{timeControlLabel(game.timeControl)}</Table.Td>
                <Table.Td>
                  <Button size="xs" variant="default" component={Link} to={`/chess/history/${game.id}`} aria-label={`Replay ${pairingLabel(game)}`}>
                    Replay
                  </Button>
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

export function ReplayPage() {
  const engine = useEngine()!;
  const { gameId = '' } = useParams();
  const record = useGame(gameId);
  const [ply, setPly] = useState(0);
  const [flipped, setFlipped] = useState(false);
  const plies = record?.moves.length ?? 0;
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA')) return;
      if (event.key === 'ArrowLeft') setPly((value) => Math.max(0, value - 1));
      else if (event.key === 'ArrowRight') setPly((value) => Math.min(plies, value + 1));
      else if (event.key === 'Home') setPly(0);
      else if (event.key === 'End') setPly(plies);
      else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [plies]);
  const fen = useMemo(() => {
    if (!record) return null;
    const at = fenAt(record, Math.min(ply, record.moves.length));
    return at.ok ? at.value : record.fen;
  }, [record, ply]);
  const info = useMemo(() => (fen === null ? null : positionOf(fen)), [fen]);
  if (record === undefined) return <Loader aria-label="Loading the game" />;
  if (record === null || fen === null) {
    return (
      <Alert color="gray" variant="light" title="Game not found">
        This game is not on this device. <Link to="/chess/history">Back to your games</Link>
      </Alert>
    );
  }
  const me = colorOf(record, engine.identity.user.id);
  const orientation: Color = flipped ? opposite(me ?? 'white') : (me ?? 'white');
  const clocks = clocksAtPly(record, ply);
  const pieces = piecesOfFen(fen);
  const material = pieces.ok ? materialSummary(pieces.value) : null;
  const lastUci = record.moves[ply - 1]?.uci;
  const strip = (color: Color) => <PlayerStrip color={color} player={record[color]} isMe={color === me} presence="unknown" clock={{ ms: clocks[color], running: false }} low={false} material={material} />;
  return (
    <Stack gap="sm">
      <Group justify="space-between" wrap="wrap">
        <Title order={3} size="h4">
          {pairingLabel(record)}
        </Title>
        <Group gap="xs">
          <Badge variant="light">{timeControlLabel(record.timeControl)}</Badge>
          <Badge variant="light" color="gray">
            {resultLabel(record.result)}
          </Badge>
        </Group>
      </Group>
      <Grid gap="md">
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Stack gap={6} style={{ maxWidth: 'max(280px, min(100%, calc(100vh - 240px)))' }}>
            {strip(opposite(orientation))}
            <Board fen={fen} orientation={orientation} movable={null} lastMove={lastUci ? squaresOf(lastUci) : null} checkSquare={info?.checkSquare ?? null} label={`Replay board, ${COLOR_NAME[orientation]} at the bottom`} />
            {strip(orientation)}
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Stack gap="sm">
            <Alert color="gray" variant="light" title={resultLabel(record.result)} data-testid="replay-result">
              {terminationText(record)}
            </Alert>
            <Paper withBorder p="xs">
              <MoveList initialFen={record.initialFen} moves={record.moves} ply={ply} onPly={setPly} maxHeight={320} />
            </Paper>
            <Group gap="xs">
              <Tooltip label="Flip the board">
                <ActionIcon variant="default" size="lg" aria-label="Flip the board" onClick={() => setFlipped((value) => !value)}>
                  <IconArrowsUpDown size={18} />
                </ActionIcon>
              </Tooltip>
              <Button size="xs" variant="default" component={Link} to={`/chess/analysis?fen=${encodeURIComponent(fen)}`} leftSection={<IconBook2 size={14} />}>
                Analyse from here
              </Button>
            </Group>
            <ExportPanel fen={fen} pgn={record.pgn} fileName={`plaza-${record.id}.pgn`} />
          </Stack>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
