/**
 * One conversation: its messages (Markdown, never HTML), the answer being typed (React state only,
 * written to the thread room once it ends: complete, stopped or failed, with what arrived), the
 * model picker with prices, the spend meter, refusals that say which budget and when it resets,
 * halts with Resume or New session, and a keyboard-first composer.
 */
import { Alert, Badge, Box, Button, Group, Loader, Paper, ScrollArea, Select, Stack, Text, Textarea, Title, VisuallyHidden } from '@mantine/core';
import { IconPlayerStopFilled, IconSend } from '@tabler/icons-react';
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { Link } from 'react-router';
import { CHAT_MAX_CONTENT, titleFromPrompt, type ChatMessageRecord } from '../../../../shared/sync/layouts/chat.ts';
import type { DirectMeterRow } from '../../../../shared/platform/bridge.ts';
import { useEngine } from '../../app/RuntimeContext.tsx';
import { useRooms } from '../../app/useRooms.ts';
import { randomId } from '../../engine/ids.ts';
import type { Assistant, SendResult } from './assistant.ts';
import { rowsFromInbox } from './client-cap.ts';
import { ChatRooms, NEW_THREAD_TITLE } from './chat-rooms.ts';
import { Markdown } from './Markdown.tsx';
import type { ChatProblem } from './problems.ts';
import { formatSpend, promptFor } from './prompt.ts';
import { AlertBanners, meterLines, READABLE_ALERT_TITLE, SpendMeter, type MeterLine } from './SpendMeter.tsx';
import { directSessionOf, setDirectSession } from './useAssistant.ts';
import { useLlmInbox, useMessages, useModels, useThreadMeta } from './useChatData.ts';
import { useNow } from './useNow.ts';

const STATUS_BADGE: Readonly<Record<Exclude<ChatMessageRecord['status'], 'complete'>, { label: string; color: string }>> = {
  // Outline badges in dark shades: light badges fail the 4.5:1 contrast at this size.
  stopped: { label: 'Stopped', color: 'gray.8' },
  refused: { label: 'Not sent', color: 'red.9' },
  error: { label: 'Incomplete', color: 'red.9' },
};

function MessageView({ message }: { readonly message: ChatMessageRecord }) {
  const user = message.role === 'user';
  const badge = message.status === 'complete' ? null : STATUS_BADGE[message.status];
  return (
    <Paper
      withBorder
      p="sm"
      radius="md"
      bg={user ? 'var(--mantine-color-default-hover)' : undefined}
      data-testid="chat-message"
      data-role={message.role}
      data-status={message.status}
      aria-label={user ? 'Your message' : 'Answer'}
      component="article"
    >
      <Group justify="space-between" gap="xs" mb={4}>
        <Text size="sm" fw={650}>
          {user ? 'You' : 'Assistant'}
        </Text>
        <Group gap={6}>
          {badge && (
            <Badge color={badge.color} variant="outline" size="sm">
              {badge.label}
            </Badge>
          )}
          {message.model && (
            <Text size="xs" c="dimmed">
              {message.model}
            </Text>
          )}
          {message.chargedMicroUsd !== undefined && (
            <Text size="xs" c="dimmed" title="What this answer cost">
              {formatSpend(message.chargedMicroUsd)}
            </Text>
          )}
        </Group>
      </Group>
      {user ? <Text style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>{message.content}</Text> : message.content.length > 0 ? <Markdown text={message.content} /> : null}
      {message.role === 'assistant' && message.status === 'stopped' && message.content.length === 0 && (
        <Text size="sm" c="dimmed">
          Stopped before any text arrived.
        </Text>
      )}
      {message.note && (
        <Text size="sm" c="dimmed" mt={4}>
          {message.note}
        </Text>
      )}
    </Paper>
  );
}

export interface ThreadViewProps {
  readonly threadId: string;
  readonly fallbackTitle: string | null;
  readonly mode: 'proxy' | 'direct';
  readonly online: boolean;
  readonly assistant: Assistant;
}

interface Streaming {
  readonly answerId: string;
  readonly model: string;
  readonly text: string;
}

interface ShownProblem {
  readonly problem: ChatProblem;
  /** The refused prompt, sent again by Resume / New session / Send again. */
  readonly retry: { readonly messageId: string; readonly text: string; readonly at: number } | null;
}

export function ThreadView({ threadId, fallbackTitle, mode, online, assistant }: ThreadViewProps) {
  const engine = useEngine()!;
  const rooms = useMemo(() => new ChatRooms(engine), [engine]);
  const room = useRooms([rooms.threadRoom(threadId)]);
  const meta = useThreadMeta(threadId);
  const messages = useMessages(threadId);
  const inbox = useLlmInbox();
  const models = useModels(mode, online);
  const [draft, setDraft] = useState('');
  const [running, setRunning] = useState(false);
  const [streaming, setStreaming] = useState<Streaming | null>(null);
  const [shown, setShown] = useState<ShownProblem | null>(null);
  const [directMeter, setDirectMeter] = useState<readonly DirectMeterRow[] | null>(null);
  const [directSession, setDirectSessionState] = useState<string | null>(() => directSessionOf(engine, threadId));
  const now = useNow();
  const abort = useRef<AbortController | null>(null);
  const viewport = useRef<HTMLDivElement | null>(null);
  const composer = useRef<HTMLTextAreaElement | null>(null);

  const sessionId = mode === 'proxy' ? (meta?.sessionId ?? null) : directSession;
  const modelList = models.status === 'ready' ? models.models : [];
  const model = meta?.model && modelList.some((entry) => entry.id === meta.model) ? meta.model : (modelList[0]?.id ?? null);
  const title = meta?.title ?? fallbackTitle ?? 'Conversation';

  // The answer being typed stays on screen until its stored copy is there (no flicker).
  const shownStreaming = streaming && !messages?.some((message) => message.id === streaming.answerId) ? streaming : null;
  const streamingText = shownStreaming?.text ?? '';
  useEffect(() => {
    const element = viewport.current;
    if (element) element.scrollTo({ top: element.scrollHeight });
  }, [messages?.length, streamingText]);

  useEffect(() => {
    composer.current?.focus();
  }, [threadId]);

  // Direct mode: show this session's budgets as the main process's ledger holds them.
  useEffect(() => {
    if (mode !== 'direct' || directSession === null) return undefined;
    let live = true;
    assistant.refresh(directSession).then(
      (info) => live && setDirectMeter(info?.meter ?? null),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [assistant, mode, directSession]);

  const lines: MeterLine[] =
    mode === 'proxy'
      ? meterLines(inbox, sessionId)
      : (directMeter ?? []).map((row) => ({ kind: row.kind, label: row.label, spentMicroUsd: row.spentMicroUsd, reservedMicroUsd: row.reservedMicroUsd, capMicroUsd: row.capMicroUsd, resetsAt: row.resetsAt }));
  const serverSession = mode === 'proxy' && sessionId !== null ? inbox?.sessions[sessionId] : undefined;
  const sessionHalt = serverSession?.halt ?? assistant.sessionState(sessionId ?? '')?.halt ?? null;

  const offlineReason = mode === 'proxy' && !online ? 'You are offline. Your conversations stay readable here; sending needs the server.' : null;
  const modelReason = models.status === 'error' ? models.message : models.status === 'loading' ? 'Loading the models…' : model === null ? 'No model is available.' : null;
  const disabledReason = offlineReason ?? modelReason;

  const adoptSession = async (id: string) => {
    if (mode === 'proxy') {
      if (meta?.sessionId !== id) await rooms.setMeta(threadId, 'sessionId', id);
    } else {
      setDirectSession(engine, threadId, id);
      setDirectSessionState(id);
    }
  };

  const finish = async (result: SendResult, answerId: string, userMessage: ChatMessageRecord, usedModel: string) => {
    if (result.sessionId !== null && result.sessionId !== sessionId) await adoptSession(result.sessionId);
    if (mode === 'direct' && result.sessionId !== null) setDirectMeter(assistant.sessionInfo(result.sessionId)?.meter ?? null);
    const at = Math.max(rooms.now(), userMessage.at + 1);
    switch (result.kind) {
      case 'complete':
        await rooms.put(threadId, {
          id: answerId,
          role: 'assistant',
          content: result.text.slice(0, CHAT_MAX_CONTENT),
          at,
          model: usedModel,
          status: 'complete',
          ...(result.usage ? { usage: result.usage } : {}),
          ...(result.chargedMicroUsd === undefined ? {} : { chargedMicroUsd: result.chargedMicroUsd }),
        });
        return;
      case 'stopped':
        await rooms.put(threadId, { id: answerId, role: 'assistant', content: result.text.slice(0, CHAT_MAX_CONTENT), at, model: usedModel, status: 'stopped' });
        return;
      case 'error':
        await rooms.put(threadId, { id: answerId, role: 'assistant', content: result.text.slice(0, CHAT_MAX_CONTENT), at, model: usedModel, status: 'error', note: result.problem.message.slice(0, 2_000) });
        setShown({ problem: result.problem, retry: null });
        return;
      case 'refused':
        setStreaming(null);
        await rooms.put(threadId, { ...userMessage, status: 'refused', note: `${result.problem.title} ${result.problem.message}`.slice(0, 2_000) });
        setShown({ problem: result.problem, retry: { messageId: userMessage.id, text: userMessage.content, at: userMessage.at } });
    }
  };

  /** Sends a prompt; `humanInput` is true only when a real input event (key, click) started it. */
  const send = async (humanInput: boolean, retry?: ShownProblem['retry']) => {
    if (running || models.status !== 'ready' || model === null || disabledReason !== null) return;
    const text = retry?.text ?? draft.trim();
    if (text.length === 0) return;
    if (text.length > CHAT_MAX_CONTENT) {
      setShown({ problem: { kind: 'request', title: 'This message is too long.', message: `A message holds at most ${CHAT_MAX_CONTENT.toLocaleString()} characters.`, by: 'device' }, retry: null });
      return;
    }
    setShown(null);
    setRunning(true);
    const controller = new AbortController();
    abort.current = controller;
    const answerId = randomId('m');
    const usedModel = model;
    try {
      const userMessage: ChatMessageRecord = { id: retry?.messageId ?? randomId('m'), role: 'user', content: text, at: retry?.at ?? rooms.now(), status: 'complete' };
      const history = (messages ?? []).filter((message) => message.id !== userMessage.id && message.at <= userMessage.at);
      await rooms.put(threadId, userMessage);
      if (!retry) setDraft('');
      if (meta?.title === NEW_THREAD_TITLE && history.length === 0) await rooms.rename(threadId, titleFromPrompt(text));
      setStreaming({ answerId, model: usedModel, text: '' });
      const result = await assistant.send({
        sessionId,
        model: usedModel,
        messages: promptFor(history, text),
        humanInput,
        prices: models.prices,
        rows: (id) => rowsFromInbox(inbox, id),
        serverSession: (id) => inbox?.sessions[id] ?? null,
        onText: (piece) => setStreaming((current) => (current && current.answerId === answerId ? { ...current, text: current.text + piece } : current)),
        signal: controller.signal,
      });
      await finish(result, answerId, userMessage, usedModel);
    } catch (error) {
      setStreaming(null);
      setShown({ problem: { kind: 'error', title: 'The message could not be saved.', message: (error as Error).message, by: 'device' }, retry: null });
    } finally {
      abort.current = null;
      setRunning(false);
    }
  };

  const stop = () => abort.current?.abort();

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Escape' && running) {
      event.preventDefault();
      stop();
      return;
    }
    if (event.key !== 'Enter' || event.shiftKey || event.nativeEvent.isComposing) return;
    event.preventDefault();
    void send(event.nativeEvent.isTrusted);
  };

  /** Resume after a halt: the human action (a real click) that resumes the session. */
  const continueSession = async (trusted: boolean, retry: ShownProblem['retry']) => {
    if (sessionId === null) return;
    const problem = await assistant.resume(sessionId);
    if (problem) {
      setShown({ problem, retry });
      return;
    }
    setShown(null);
    if (retry) await send(trusted, retry);
  };

  const startNewSession = async (trusted: boolean, retry: ShownProblem['retry']) => {
    try {
      const id = await assistant.newSession();
      await adoptSession(id);
      setShown(null);
      if (retry) await send(trusted, retry);
    } catch (error) {
      setShown({ problem: { kind: 'error', title: 'No new session.', message: (error as Error).message, by: 'server' }, retry });
    }
  };

  const problem = shown?.problem ?? null;
  const haltBanner = !problem && sessionHalt ? sessionHalt : null;

  return (
    <Stack gap="sm">
      <Group justify="space-between" align="flex-end" wrap="wrap" gap="sm">
        <Title order={3} size="h4" data-testid="thread-title">
          {title}
        </Title>
        <Select
          label="Model"
          w={360}
          data={modelList.map((entry) => ({ value: entry.id, label: `${entry.label} · ${entry.priceText.replace(/ per 1M tokens$/, '')}` }))}
          value={model}
          onChange={(value) => value && void rooms.setMeta(threadId, 'model', value)}
          disabled={models.status !== 'ready' || running}
          allowDeselect={false}
          description={mode === 'direct' ? 'Direct mode: your own key or server' : 'Prices per million tokens'}
          data-testid="model-picker"
        />
      </Group>

      <SpendMeter lines={lines} now={now} {...(mode === 'direct' ? { note: 'Direct mode: this device’s budgets' } : {})} />
      {mode === 'proxy' && <AlertBanners alerts={inbox?.alerts ?? []} now={now} />}

      <ScrollArea.Autosize mah="55vh" viewportRef={viewport} type="auto" offsetScrollbars>
        <Stack gap="sm" data-testid="chat-messages" pr="xs">
          {messages === undefined || !room.ready ? (
            <Loader size="sm" aria-label="Loading messages" />
          ) : messages.length === 0 && !shownStreaming ? (
            <Text c="dimmed" data-testid="thread-empty">
              Ask anything. Answers are written in Markdown; each one shows what it cost.
            </Text>
          ) : (
            messages.map((message) => <MessageView key={message.id} message={message} />)
          )}
          {shownStreaming && (
            <Paper withBorder p="sm" radius="md" data-testid="chat-streaming" component="article" aria-label="Answer being written" aria-busy={running}>
              <Group justify="space-between" mb={4}>
                <Text size="sm" fw={650}>
                  Assistant
                </Text>
                <Group gap={6}>
                  {running && <Loader size="xs" type="dots" aria-hidden />}
                  <Text size="xs" c="dimmed">
                    {shownStreaming.model}
                  </Text>
                </Group>
              </Group>
              {shownStreaming.text.length > 0 ? <Markdown text={shownStreaming.text} /> : <Text c="dimmed">Waiting for the first words…</Text>}
            </Paper>
          )}
        </Stack>
      </ScrollArea.Autosize>
      <VisuallyHidden role="status">{running ? 'The assistant is answering.' : ''}</VisuallyHidden>

      {problem && (
        <Alert
          color={problem.kind === 'budget' || problem.kind === 'kill-switch' || problem.kind === 'error' ? 'red' : problem.kind === 'needs-account' ? 'blue' : 'orange'}
          variant="light"
          title={problem.title}
          styles={READABLE_ALERT_TITLE}
          data-testid="chat-problem"
          data-kind={problem.kind}
          role="alert"
          withCloseButton
          closeButtonLabel="Dismiss"
          onClose={() => setShown(null)}
        >
          <Stack gap="xs">
            <Text size="sm">{problem.message}</Text>
            <Text size="xs" c="dimmed">
              {problem.by === 'device' ? 'Stopped on this device before anything was sent.' : 'Refused by the server.'}
            </Text>
            <Group gap="xs">
              {problem.kind === 'halted' && problem.resumable && (
                <Button size="xs" onClick={(event) => void continueSession(event.nativeEvent.isTrusted, shown?.retry ?? null)}>
                  Resume
                </Button>
              )}
              {problem.needsNewSession && (
                <Button size="xs" onClick={(event) => void startNewSession(event.nativeEvent.isTrusted, shown?.retry ?? null)}>
                  New session
                </Button>
              )}
              {problem.kind === 'rate-limited' && shown?.retry && (
                <Button size="xs" variant="default" onClick={(event) => void send(event.nativeEvent.isTrusted, shown.retry)}>
                  Send again
                </Button>
              )}
              {problem.kind === 'needs-account' && (
                <Button size="xs" component={Link} to="/account">
                  Create an account
                </Button>
              )}
            </Group>
          </Stack>
        </Alert>
      )}

      {haltBanner && (
        <Alert color="orange" variant="light" title="This chat session is paused." data-testid="session-halt" styles={READABLE_ALERT_TITLE}>
          <Stack gap="xs">
            <Text size="sm">{haltBanner.message}</Text>
            <Group gap="xs">
              {haltBanner.resumable && (
                <Button size="xs" onClick={(event) => void continueSession(event.nativeEvent.isTrusted, null)}>
                  Resume
                </Button>
              )}
              <Button size="xs" variant={haltBanner.resumable ? 'default' : 'filled'} onClick={(event) => void startNewSession(event.nativeEvent.isTrusted, null)}>
                New session
              </Button>
            </Group>
          </Stack>
        </Alert>
      )}

      <Box>
        <Textarea
          ref={composer}
          label="Message"
          description="Enter sends · Shift+Enter adds a line · Esc stops an answer"
          placeholder={disabledReason ?? 'Ask the assistant…'}
          autosize
          minRows={2}
          maxRows={8}
          value={draft}
          onChange={(event) => setDraft(event.currentTarget.value)}
          onKeyDown={onKeyDown}
          disabled={offlineReason !== null}
          data-testid="composer"
        />
        <Group justify="space-between" mt="xs" wrap="nowrap" gap="sm">
          <Text size="sm" c="dimmed" id="composer-reason" data-testid="composer-reason">
            {disabledReason ?? (sessionId ? 'Each message is checked against your budgets on this device first.' : 'A chat session starts with your first message.')}
          </Text>
          {running ? (
            <Button color="red" leftSection={<IconPlayerStopFilled size={16} />} onClick={stop}>
              Stop
            </Button>
          ) : (
            <Button leftSection={<IconSend size={16} />} onClick={(event) => void send(event.nativeEvent.isTrusted)} disabled={disabledReason !== null || draft.trim().length === 0}>
              Send
            </Button>
          )}
        </Group>
      </Box>
    </Stack>
  );
}
