/**
 * The Chess area. Routes under /chess:
 *
 * | path                  | screen                                             | who                  |
 * |-----------------------|----------------------------------------------------|----------------------|
 * | /chess                | lobby: quick pairing, seeks, challenge links, live games | everyone signed in (guests too) |
 * | /chess/g/:gameId      | a game: play, or watch read-only                   | players, spectators  |
 * | /chess/join/:seekId   | a challenge link: see it and join                  | anyone (a guest in one click) |
 * | /chess/history        | finished games on this device                      | signed in            |
 * | /chess/history/:gameId| replay one, PGN and FEN                            | signed in, offline too |
 * | /chess/analysis       | analysis board, both sides, no server              | anyone, offline too  |
 *
 * The lobby room stays open across the area: the server removes a player's seeks (and challenge
 * links) when their last lobby connection closes, so leaving the area withdraws them.
 */
import { Button, Group, List, Loader, Stack, Text, Title } from '@mantine/core';
import { IconBook2, IconChessKnight, IconHistory, IconSwords, IconUserPlus } from '@tabler/icons-react';
import { useEffect, useRef, useState } from 'react';
import { Link, Navigate, Route, Routes, useLocation, useNavigate } from 'react-router';
import { useEngine, useRuntime, useSession } from '../../app/RuntimeContext.tsx';
import { useRooms } from '../../app/useRooms.ts';
import type { EngineHandle } from '../../app/runtime.ts';
import { AnalysisPage } from './AnalysisPage.tsx';
import { isPostedSeek, lobbyRoom, useLobby, usePostedSeeksVersion } from './data.ts';
import { GamePage } from './GamePage.tsx';
import { HistoryPage, ReplayPage } from './HistoryPage.tsx';
import { JoinPage } from './JoinPage.tsx';
import { LobbyPage } from './LobbyPage.tsx';
import { graceWords } from './model/format.ts';
import { IntroCard } from '../../ui/IntroCard.tsx';

function SectionLinks() {
  const location = useLocation();
  const links = [
    { to: '/chess', label: 'Play', icon: IconSwords, active: !/^\/chess\/(history|analysis)/.test(location.pathname) },
    { to: '/chess/history', label: 'History', icon: IconHistory, active: location.pathname.startsWith('/chess/history') },
    { to: '/chess/analysis', label: 'Analysis board', icon: IconBook2, active: location.pathname.startsWith('/chess/analysis') },
  ];
  return (
    <Group gap="xs" component="nav" aria-label="Chess sections">
      {links.map((link) => (
        <Button key={link.to} component={Link} to={link.to} variant={link.active ? 'filled' : 'default'} size="xs" leftSection={<link.icon size={14} />} aria-current={link.active ? 'page' : undefined}>
          {link.label}
        </Button>
      ))}
    </Group>
  );
}

/** Signed-out visitors: a guest session in one click (a challenge link says who invited them). */
function PlayAsGuest({ invited }: { readonly invited: boolean }) {
  const runtime = useRuntime();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // This server's grace, from the facts it gives visitors; unknown until they arrive (or offline).
  const [grace, setGrace] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    runtime.session.setup().then(
      (setup) => live && setGrace(graceWords(setup.chess?.disconnectGraceMs ?? null)),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [runtime]);
  const start = async () => {
    setBusy(true);
    setError(null);
    try {
      await runtime.session.startGuest();
    } catch (cause) {
      setError((cause as Error).message);
      setBusy(false);
    }
  };
  return (
    <IntroCard
      icon={IconChessKnight}
      title={invited ? 'You are invited to a game of chess' : 'Play chess now, no signup'}
      text={invited ? 'Continue as a guest to see the challenge and join it.' : 'Continue as a guest and the lobby pairs you with a person in seconds.'}
      points={
        <>
          <List.Item>Server clocks from 1-minute bullet to 30-minute games; draw offers, rematches, chat.</List.Item>
          <List.Item data-testid="grace-promise">{grace === null ? 'If your connection drops, the game waits a while for you to come back.' : `If your connection drops, you have ${grace} to come back.`}</List.Item>
          <List.Item>Guests play casual games; an account keeps a rating.</List.Item>
        </>
      }
      actions={
        <>
          <Button leftSection={<IconUserPlus size={18} />} loading={busy} onClick={() => void start()}>
            Play as guest
          </Button>
          <Button variant="default" component={Link} to="/account">
            Sign in
          </Button>
          <Button variant="subtle" component={Link} to="/chess/analysis">
            Analysis board
          </Button>
        </>
      }
    >
      {error && (
        <Text c="red" role="alert">
          {error}
        </Text>
      )}
    </IntroCard>
  );
}

/**
 * Keeps the lobby open and sends a player to the game one of their seeks became: the seek's
 * creator learns its game only from the lobby's directory (`fromSeek`).
 */
function FollowMySeeks({ engine }: { readonly engine: EngineHandle }) {
  useRooms([lobbyRoom(engine)]);
  const lobby = useLobby();
  const navigate = useNavigate();
  const location = useLocation();
  const mine = useRef(new Set<string>());
  const followed = useRef(new Set<string>());
  const me = engine.identity.user.id;
  const posted = usePostedSeeksVersion();
  useEffect(() => {
    if (!lobby) return;
    for (const seek of lobby.seeks) if (seek.creator.userId === me) mine.current.add(seek.id);
    for (const game of lobby.games) {
      if (game.fromSeek === null || !(mine.current.has(game.fromSeek) || isPostedSeek(game.fromSeek)) || followed.current.has(game.id)) continue;
      if (game.white.userId !== me && game.black.userId !== me) continue;
      followed.current.add(game.id);
      if (!location.pathname.startsWith(`/chess/g/${game.id}`)) void navigate(`/chess/g/${game.id}`);
    }
  }, [lobby, me, navigate, location.pathname, posted]);
  return null;
}

export function ChessPage() {
  const session = useSession();
  const engine = useEngine();
  const location = useLocation();
  const header = (
    <Group justify="space-between" align="center">
      <Title order={2}>Chess</Title>
      <SectionLinks />
    </Group>
  );
  if (location.pathname.startsWith('/chess/analysis')) {
    return (
      <Stack gap="md">
        {header}
        <AnalysisPage />
      </Stack>
    );
  }
  if (session.kind === 'loading' || (session.kind === 'signed-in' && !engine)) {
    return (
      <Stack gap="md">
        {header}
        <Loader aria-label="Loading your session" />
      </Stack>
    );
  }
  if (session.kind === 'signed-out' || !engine) {
    return (
      <Stack gap="md">
        {header}
        <PlayAsGuest invited={location.pathname.startsWith('/chess/join/')} />
      </Stack>
    );
  }
  return (
    <Stack gap="md">
      {header}
      <FollowMySeeks engine={engine} />
      <Routes>
        <Route index element={<LobbyPage />} />
        <Route path="g/:gameId" element={<GamePage />} />
        <Route path="join/:seekId" element={<JoinPage />} />
        <Route path="history" element={<HistoryPage />} />
        <Route path="history/:gameId" element={<ReplayPage />} />
        <Route path="*" element={<Navigate to="/chess" replace />} />
      </Routes>
    </Stack>
  );
}
