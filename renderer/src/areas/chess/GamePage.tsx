/**
 * One game, live or finished: the board and clocks for the players (moves, premoves, typed
 * moves, draw offers, resignation, rematch), read-only for spectators with a viewer count, and
 * the chats. Opening this page opens the game room, which is what tells the server that a
 * player is at the board; leaving it starts their disconnect countdown.
 */
import { ActionIcon, Alert, Badge, Grid, Group, Loader, Paper, Stack, Switch, Tabs, Text, TextInput, Title, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconArrowsUpDown } from '@tabler/icons-react';
import { useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import type { ChessGameRecord } from '../../../../shared/sync/layouts/chess.ts';
import { colorOf } from '../../../../shared/domain/chess/game.ts';
import { materialSummary, piecesOfFen, type MaterialSummary } from '../../../../shared/domain/chess/material.ts';
import { fenAt } from '../../../../shared/domain/chess/pgn.ts';
import { opposite, type Color } from '../../../../shared/domain/chess/types.ts';
import { useOnline } from '../../app/network.ts';
import { useEngine } from '../../app/RuntimeContext.tsx';
import { useRooms } from '../../app/useRooms.ts';
import type { EngineHandle } from '../../app/runtime.ts';
import { Board, type BoardMovable } from './Board.tsx';
import { ChessChat } from './ChessChat.tsx';
import { gameRoom, playersRoom, useGame, useRoomPeople, useServerNow } from './data.ts';
import { ExportPanel } from './ExportPanel.tsx';
import { GameActions } from './GameActions.tsx';
import { clockView } from './model/clock-view.ts';
import { COLOR_NAME, formatCountdown, graceWords, isLowTime, outcomeFor, pairingLabel, ratingDelta, resultLabel, terminationText, timeControlLabel } from './model/format.ts';
import { GameController, type PendingMove } from './model/game-controller.ts';
import { matchTypedMove } from './model/move-input.ts';
import { positionOf, squaresOf } from './model/position.ts';
import { premoveDestinations } from './model/premove.ts';
import { watchingCount } from './model/viewers.ts';
import { MoveList } from './MoveList.tsx';
import { PlayerStrip, type Presence } from './PlayerStrip.tsx';
import { playSound, useSoundSetting } from './sound.ts';

function presenceOf(record: ChessGameRecord, color: Color, me: Color | null, online: boolean): Presence {
  if (record.status === 'ended') return 'unknown';
  if (color === me && !online) return 'offline';
  return record.disconnect[color] === null ? 'online' : 'offline';
}

function ResultBanner({ record, me }: { readonly record: ChessGameRecord; readonly me: Color | null }) {
  const outcome = me === null ? null : outcomeFor(record, me);
  const headline = outcome === 'won' ? 'You won' : outcome === 'lost' ? 'You lost' : outcome === 'draw' ? 'Draw' : null;
  const change = me !== null ? record.ratingChange?.[me] : undefined;
  return (
    <Alert color={outcome === 'won' ? 'teal' : outcome === 'lost' ? 'red' : 'gray'} variant="light" title={headline ?? 'Game over'} data-testid="game-result" role="status">
      <Text fw={700}>{resultLabel(record.result)}</Text>
      <Text size="sm">{terminationText(record)}</Text>
      {change && (
        <Text size="sm">
          Your rating: {Math.round(change.after)} ({ratingDelta(change)})
        </Text>
      )}
    </Alert>
  );
}

function TypedMove({ controller, disabled }: { readonly controller: GameController; readonly disabled: string | null }) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = () => {
    const view = controller.getView();
    if (view.position === null || !view.canPlay) return setError('The game is not in play.');
    if (view.pending !== null || view.position.turn !== view.myColor) return setError('Wait for your turn (a piece moved on the board while waiting is a premove).');
    const match = matchTypedMove(text, view.position.moves);
    if (match.kind === 'error') return setError(match.message);
    if (match.kind === 'needs-promotion') return setError(`Say which piece: for example ${match.to}=Q or ${match.from}${match.to}q.`);
    const attempt = controller.attempt(match.move.from, match.move.to, match.move.promotion);
    if (attempt === 'sent') {
      setText('');
      setError(null);
    } else setError(`${text} cannot be played now.`);
  };
  return (
    <TextInput
      label="Type a move"
      description="SAN or UCI: e4, Nf3, O-O, e7e8q. Press Enter."
      value={text}
      disabled={disabled !== null}
      placeholder={disabled ?? 'e4'}
      onChange={(event) => {
        setText(event.currentTarget.value);
        setError(null);
      }}
      onKeyDown={(event) => {
        if (event.key === 'Enter') {
          event.preventDefault();
          submit();
        }
      }}
      error={error}
      autoComplete="off"
      spellCheck={false}
      data-testid="move-input"
    />
  );
}

/** A player strip whose clock ticks on its own, so that the board does not re-render ten times a second. */
function TickingStrip({ record, pending, color, me, presence, material }: { readonly record: ChessGameRecord; readonly pending: PendingMove | null; readonly color: Color; readonly me: Color | null; readonly presence: Presence; readonly material: MaterialSummary | null }) {
  const live = record.status !== 'ended';
  const serverNow = useServerNow(100, live && record.clock.running === color);
  const clock = clockView(record, pending, serverNow)[color];
  return <PlayerStrip color={color} player={record[color]} isMe={color === me} presence={presence} clock={clock} low={live && isLowTime(clock.ms, record.timeControl)} material={material} />;
}

/** The opponent's disconnect countdowns and the first-move countdown, ticking every quarter second. */
function Countdowns({ record, pending, me }: { readonly record: ChessGameRecord; readonly pending: PendingMove | null; readonly me: Color | null }) {
  const live = record.status !== 'ended';
  const ticking = live && (record.status === 'waiting-first-move' || record.disconnect.white !== null || record.disconnect.black !== null);
  const serverNow = useServerNow(250, ticking);
  if (!live) return null;
  const clocks = clockView(record, pending, serverNow);
  const away = (['white', 'black'] as const).flatMap((color) => {
    const ms = clocks.away[color];
    if (ms === null || color === me) return [];
    const name = record[color].displayName;
    return [
      <Alert key={color} color="orange" variant="light" role="status" data-testid={`away-${color}`}>
        {ms > 0 ? `${name} is offline and has ${Math.ceil(ms / 1000)} s to come back (${formatCountdown(ms)}).` : `${name} is offline: the game ends if they are not back when it is their turn.`}
      </Alert>,
    ];
  });
  return (
    <>
      {away}
      {clocks.firstMove && (
        <Text size="sm" role="status" data-testid="first-move">
          {clocks.firstMove.side === me ? 'Your' : `${COLOR_NAME[clocks.firstMove.side]}'s`} first move: {formatCountdown(clocks.firstMove.ms)} left, or the game is aborted.
        </Text>
      )}
    </>
  );
}

function useGameController(engine: EngineHandle, gameId: string): GameController {
  const controller = useMemo(
    () =>
      new GameController(gameId, {
        userId: engine.identity.user.id,
        submit: async (kind, payload, options) => {
          const id = await engine.client.intents.submit(kind, payload, options.ttlMs === undefined ? {} : { ttlMs: options.ttlMs });
          return engine.client.intents.decision(id);
        },
        serverNow: () => engine.client.serverNow(),
        notice: (notice) => notifications.show({ color: notice.color, message: notice.message }),
        sound: playSound,
      }),
    [engine, gameId],
  );
  useEffect(() => () => controller.dispose(), [controller]);
  return controller;
}

export function GamePage() {
  const engine = useEngine();
  const { gameId = '' } = useParams();
  if (!engine) return <Loader aria-label="Opening the game" />;
  return <Game key={gameId} engine={engine} gameId={gameId} />;
}

function Game({ engine, gameId }: { readonly engine: EngineHandle; readonly gameId: string }) {
  const navigate = useNavigate();
  const online = useOnline();
  const record = useGame(gameId);
  const room = gameRoom(engine, gameId);
  const myId = engine.identity.user.id;
  const me = record ? colorOf(record, myId) : null;
  // Two hooks, so that learning one is a player never closes and reopens the game room.
  const gameRooms = useRooms([room]);
  useRooms(me !== null ? [playersRoom(engine, gameId)] : []);
  const controller = useGameController(engine, gameId);
  useEffect(() => {
    if (record !== undefined) controller.update(record);
  }, [controller, record]);
  const view = useSyncExternalStore(controller.subscribe, controller.getView);
  const [flipped, setFlipped] = useState(false);
  const [viewPly, setViewPly] = useState<number | null>(null);
  const [sound, setSound] = useSoundSetting();
  const live = record != null && record.status !== 'ended';
  const people = useRoomPeople(room);
  const openedAt = useRef(engine.client.serverNow());

  // Both players follow an accepted rematch made while they were here.
  const rematch = record?.rematch;
  useEffect(() => {
    if (me !== null && rematch?.status === 'accepted' && rematch.at >= openedAt.current - 5_000) void navigate(`/chess/g/${rematch.nextGameId}`);
  }, [me, rematch, navigate]);

  const plies = record?.moves.length ?? 0;
  const shownPly = viewPly === null ? plies : Math.min(viewPly, plies);
  const atLiveEnd = viewPly === null || viewPly >= plies;
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.isContentEditable)) return;
      if (event.key === 'ArrowLeft') setViewPly(Math.max(0, shownPly - 1));
      else if (event.key === 'ArrowRight') setViewPly(shownPly + 1 >= plies ? null : shownPly + 1);
      else if (event.key === 'Home') setViewPly(0);
      else if (event.key === 'End') setViewPly(null);
      else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [shownPly, plies]);

  const shownFen = useMemo(() => {
    if (!record) return null;
    if (atLiveEnd) return view.position?.fen ?? record.fen;
    const fen = fenAt(record, shownPly);
    return fen.ok ? fen.value : record.fen;
  }, [record, atLiveEnd, shownPly, view.position]);
  const shownInfo = useMemo(() => (atLiveEnd ? view.position : shownFen === null ? null : positionOf(shownFen)), [atLiveEnd, view.position, shownFen]);
  const material = useMemo(() => {
    if (shownFen === null) return null;
    const pieces = piecesOfFen(shownFen);
    return pieces.ok ? materialSummary(pieces.value) : null;
  }, [shownFen]);

  if (record === undefined || (record === null && !gameRooms.ready)) return <Loader aria-label="Loading the game" />;
  if (record === null) {
    return (
      <Alert color="gray" variant="light" title="Game not found">
        {online ? 'Waiting for this game to arrive from the server…' : 'This game is not on this device, and you are offline.'} <Link to="/chess">Back to the lobby</Link>
      </Alert>
    );
  }

  const orientation: Color = flipped ? opposite(me ?? 'white') : (me ?? 'white');
  const lastUci = atLiveEnd ? (view.pending?.uci ?? record.moves.at(-1)?.uci) : record.moves[shownPly - 1]?.uci;
  const lastMove = lastUci ? squaresOf(lastUci) : null;
  let movable: BoardMovable | null = null;
  if (atLiveEnd && view.canPlay && me !== null && view.position !== null) {
    const myTurn = view.pending === null && view.position.turn === me;
    movable = myTurn ? { color: me, destinations: view.position.destinations, premove: false } : { color: me, destinations: premoveDestinations(view.position.fen, me), premove: true };
  }
  const top: Color = opposite(orientation);
  const presence = (color: Color) => presenceOf(record, color, me, online);
  const watching = watchingCount(record, people);

  const grace = graceWords(record.disconnectGraceMs);

  const strip = (color: Color) => <TickingStrip record={record} pending={view.pending} color={color} me={me} presence={presence(color)} material={material} />;

  return (
    <Stack gap="sm">
      <Group justify="space-between" align="center" wrap="wrap" gap="xs">
        <Title order={2} size="h3">
          {pairingLabel(record)}
        </Title>
        <Group gap="xs">
          <Badge variant="light">{timeControlLabel(record.timeControl)}</Badge>
          <Badge variant="light" color={record.rated ? 'grape' : 'gray'}>
            {record.rated ? 'Rated' : 'Casual'}
          </Badge>
          {me === null && (
            <Badge variant="light" color="blue" data-testid="spectating">
              Spectating
            </Badge>
          )}
          {watching !== null && (
            <Badge variant="default" data-testid="viewers" aria-label={`${watching} watching`}>
              {watching} watching
            </Badge>
          )}
        </Group>
      </Group>
      <Grid gap="md">
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Stack gap={6} style={{ maxWidth: 'max(280px, min(100%, calc(100vh - 240px)))' }}>
            {strip(top)}
            <Board
              fen={shownFen ?? record.fen}
              orientation={orientation}
              movable={movable}
              lastMove={lastMove}
              checkSquare={shownInfo?.checkSquare ?? null}
              premove={view.premove}
              onMove={(from, to, promotion) => controller.attempt(from, to, promotion)}
              onCancelPremove={() => controller.cancelPremove()}
              label={`Chess board, ${COLOR_NAME[orientation]} at the bottom`}
            />
            {strip(orientation)}
            {!atLiveEnd && (
              <Text size="sm" c="dimmed" role="status">
                Showing move {shownPly} of {plies}.{' '}
                <Text span c="blue" style={{ cursor: 'pointer', textDecoration: 'underline' }} onClick={() => setViewPly(null)} role="button" tabIndex={0} onKeyDown={(event) => event.key === 'Enter' && setViewPly(null)}>
                  Back to the game
                </Text>
              </Text>
            )}
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Stack gap="sm">
            {record.status === 'ended' && <ResultBanner record={record} me={me} />}
            {me !== null && live && !online && (
              <Alert color="red" variant="light" role="status" data-testid="self-offline">
                You are offline. Your opponent sees a countdown: come back {grace === null ? 'quickly' : `within ${grace}`}, or you lose the game.
              </Alert>
            )}
            <Countdowns record={record} pending={view.pending} me={me} />
            {live && me !== null && view.position !== null && (
              <Text size="sm" fw={600} role="status" data-testid="turn">
                {view.pending !== null ? 'Sending your move…' : view.position.turn === me ? 'Your turn' : "Opponent's turn"}
                {view.premove ? ` · premove ${view.premove.from}-${view.premove.to} set` : ''}
              </Text>
            )}
            <Paper withBorder p="xs">
              <MoveList initialFen={record.initialFen} moves={record.moves} ply={shownPly} onPly={(ply) => setViewPly(ply >= plies ? null : ply)} pendingSan={view.pending?.san ?? null} />
            </Paper>
            {me !== null && live && <TypedMove controller={controller} disabled={null} />}
            {me !== null && <GameActions record={record} me={me} />}
            <Group gap="xs">
              <Tooltip label="Flip the board">
                <ActionIcon variant="default" size="lg" aria-label="Flip the board" onClick={() => setFlipped((value) => !value)}>
                  <IconArrowsUpDown size={18} />
                </ActionIcon>
              </Tooltip>
              <Switch label="Sound" checked={sound} onChange={(event) => setSound(event.currentTarget.checked)} />
            </Group>
            <Tabs defaultValue={me !== null ? 'players' : 'spectators'} keepMounted={false}>
              <Tabs.List>
                {me !== null && <Tabs.Tab value="players">Players chat</Tabs.Tab>}
                <Tabs.Tab value="spectators">Spectators chat</Tabs.Tab>
              </Tabs.List>
              {me !== null && (
                <Tabs.Panel value="players" pt="xs">
                  <ChessChat gameId={gameId} room={playersRoom(engine, gameId)} channel="players" readOnlyReason={null} />
                </Tabs.Panel>
              )}
              <Tabs.Panel value="spectators" pt="xs">
                <ChessChat gameId={gameId} room={room} channel="spectators" readOnlyReason={null} />
              </Tabs.Panel>
            </Tabs>
            <ExportPanel fen={shownFen ?? record.fen} pgn={record.pgn} fileName={`plaza-${record.id}.pgn`} />
          </Stack>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
