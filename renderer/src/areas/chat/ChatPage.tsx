/**
 * The Chat area: conversations with the AI assistant for members (guests are told that it needs an
 * account), the spend dashboard for tenant admins, and direct-mode settings on desktop.
 *
 * Routes under /chat: `/chat` (the latest conversation), `/chat/t/:thread`, `/chat/admin`,
 * `/chat/operator` (the server operator's console, opened with the operator credential),
 * `/chat/settings`.
 */
import { Alert, Badge, Button, Grid, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { IconAdjustments, IconChartBar, IconMessages, IconServerCog } from '@tabler/icons-react';
import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import { Link, Navigate, Route, Routes, useLocation, useNavigate, useParams } from 'react-router';
import { isTenantAdmin } from '../../../../shared/sync/rooms.ts';
import { useOnline } from '../../app/network.ts';
import { usePlatform } from '../../app/PlatformContext.tsx';
import { useEngine, useSession } from '../../app/RuntimeContext.tsx';
import type { Identity } from '../../session/session-manager.ts';
import { AccountNeeded } from './AccountNeeded.tsx';
import { preloadCapChecker } from './cap-checker.ts';
import { ChatRooms } from './chat-rooms.ts';
import { DirectModePanel, useDirectMode } from './DirectModePanel.tsx';
import { ThreadList } from './ThreadList.tsx';
import { ThreadView } from './ThreadView.tsx';
import { useAssistant } from './useAssistant.ts';
import { useModels, useThreads } from './useChatData.ts';

// The dashboard brings the charts library: loaded only when an admin opens it.
const AdminDashboard = lazy(async () => ({ default: (await import('./AdminDashboard.tsx')).AdminDashboard }));
const OperatorConsole = lazy(async () => ({ default: (await import('./OperatorConsole.tsx')).OperatorConsole }));

function Conversations({ mode, online }: { readonly mode: 'proxy' | 'direct'; readonly online: boolean }) {
  const engine = useEngine();
  const params = useParams();
  const navigate = useNavigate();
  const threads = useThreads();
  const assistant = useAssistant(mode);
  const models = useModels(mode, online);
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // The cap's tokenizer loads in its worker while the user reads and types.
  useEffect(() => preloadCapChecker(), []);
  const rooms = useMemo(() => (engine ? new ChatRooms(engine) : null), [engine]);
  const threadId = params.threadId ?? null;

  if (!engine || !rooms || !assistant) return <Loader aria-label="Opening your conversations" />;
  if (threadId === null && threads && threads.length > 0) return <Navigate to={`/chat/t/${threads[0]!.id}`} replace />;

  const defaultModel = models.status === 'ready' ? (models.models[0]?.id ?? 'gpt-4o-mini') : 'gpt-4o-mini';
  // A conversation starts on the cheapest model the server offers: while that list is still on its
  // way, starting one would pick the offline fallback instead, depending on how fast the click was.
  const starting = creating || models.status === 'loading';
  const create = async () => {
    setCreating(true);
    setError(null);
    try {
      const id = await rooms.createThread(defaultModel);
      void navigate(`/chat/t/${id}`);
    } catch (cause) {
      setError((cause as Error).message);
    } finally {
      setCreating(false);
    }
  };
  const known = threadId !== null && threads?.some((thread) => thread.id === threadId);

  return (
    <Grid gap="lg">
      <Grid.Col span={{ base: 12, md: 3 }}>
        <ThreadList
          threads={threads}
          activeId={threadId}
          creating={starting}
          onNew={() => void create()}
          onRename={(id, title) => rooms.rename(id, title)}
          onDelete={async (id) => {
            await rooms.remove(id);
            if (id === threadId) void navigate('/chat', { replace: true });
          }}
        />
        {error && (
          <Alert color="red" variant="light" mt="sm" role="alert">
            {error}
          </Alert>
        )}
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 9 }}>
        {threadId === null ? (
          <Stack gap="sm" align="flex-start" data-testid="chat-empty">
            <Title order={3} size="h4">
              Start a conversation
            </Title>
            <Text c="dimmed" maw={560}>
              Ask the assistant anything. Every message is checked against your budgets on this device first, and again on the server; the meter shows what
              each session and each day costs.
            </Text>
            <Button onClick={() => void create()} loading={starting}>
              New conversation
            </Button>
          </Stack>
        ) : threads !== undefined && !known ? (
          <Alert color="gray" variant="light" title="Conversation not found">
            This conversation was deleted, or it has not reached this device yet. <Link to="/chat">Back to your conversations</Link>
          </Alert>
        ) : (
          <ThreadView key={`${threadId}|${mode}`} threadId={threadId} fallbackTitle={threads?.find((thread) => thread.id === threadId)?.title ?? null} mode={mode} online={online} assistant={assistant} />
        )}
      </Grid.Col>
    </Grid>
  );
}

function SectionLinks({ identity, desktop }: { readonly identity: Identity; readonly desktop: boolean }) {
  const location = useLocation();
  const links = [
    { to: '/chat', label: 'Conversations', icon: IconMessages, active: !/^\/chat\/(admin|operator|settings)/.test(location.pathname) },
    ...(isTenantAdmin(identity.role)
      ? [
          { to: '/chat/admin', label: 'Spend and budgets', icon: IconChartBar, active: location.pathname.startsWith('/chat/admin') },
          // The operator is whoever runs the server; on a self-hosted one that is usually an owner here.
          { to: '/chat/operator', label: 'Operator', icon: IconServerCog, active: location.pathname.startsWith('/chat/operator') },
        ]
      : []),
    ...(desktop ? [{ to: '/chat/settings', label: 'AI settings', icon: IconAdjustments, active: location.pathname.startsWith('/chat/settings') }] : []),
  ];
  if (links.length === 1) return null;
  return (
    <Group gap="xs" component="nav" aria-label="Chat sections">
      {links.map((link) => (
        <Button key={link.to} component={Link} to={link.to} variant={link.active ? 'filled' : 'default'} size="xs" leftSection={<link.icon size={14} />} aria-current={link.active ? 'page' : undefined}>
          {link.label}
        </Button>
      ))}
    </Group>
  );
}

export function ChatPage() {
  const session = useSession();
  const platform = usePlatform();
  const onlineNetwork = useOnline();
  const [direct] = useDirectMode();
  const mode = direct ? 'direct' : 'proxy';

  const header = (
    <Group justify="space-between" align="center">
      <Title order={2}>Chat</Title>
      {session.kind === 'signed-in' && mode === 'direct' && (
        <Badge variant="light" color="grape">
          Direct mode
        </Badge>
      )}
    </Group>
  );

  if (session.kind === 'loading') {
    return (
      <Stack gap="lg">
        {header}
        <Loader aria-label="Loading your session" />
      </Stack>
    );
  }
  if (session.kind === 'signed-out' || session.identity.role === 'guest') {
    return (
      <Stack gap="lg">
        {header}
        <AccountNeeded guest={session.kind === 'signed-in'} />
      </Stack>
    );
  }
  const identity = session.identity;
  // Offline: the browser says so, or the session has no token (the server was unreachable at start).
  const online = onlineNetwork && session.accessToken !== null;
  return (
    <Stack gap="md">
      {header}
      <SectionLinks identity={identity} desktop={platform.directLlm !== undefined} />
      {!online && mode === 'proxy' && (
        <Alert color="gray" variant="light" title="Offline" data-testid="chat-offline">
          Your conversations stay readable here. Sending a message needs the server, which checks your AI budget.
        </Alert>
      )}
      <Routes>
        <Route index element={<Conversations mode={mode} online={online} />} />
        <Route path="t/:threadId" element={<Conversations mode={mode} online={online} />} />
        <Route path="admin" element={
            isTenantAdmin(identity.role) ? (
              <Suspense fallback={<Loader aria-label="Loading the dashboard" />}>
                <AdminDashboard identity={identity} />
              </Suspense>
            ) : (
              <Navigate to="/chat" replace />
            )
          } />
        <Route path="operator" element={
            isTenantAdmin(identity.role) ? (
              <Suspense fallback={<Loader aria-label="Loading the operator console" />}>
                <OperatorConsole />
              </Suspense>
            ) : (
              <Navigate to="/chat" replace />
            )
          } />
        <Route path="settings" element={<DirectModePanel />} />
        <Route path="*" element={<Navigate to="/chat" replace />} />
      </Routes>
    </Stack>
  );
}
