/**
 * A game's chat: the players' own room or the spectators' chat in the game room. Messages are
 * plain text rendered as text (never HTML); sending is an intent the referee checks (who may
 * write, length, rate).
 */
import { Button, Group, ScrollArea, Stack, Text, TextInput } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { CHAT_MAX_LENGTH, type ChatChannel } from '../../../../shared/sync/layouts/chess.ts';
import { useEngine } from '../../app/RuntimeContext.tsx';
import { sendChessIntent, useChessChat } from './data.ts';
import { rejectionText } from './model/format.ts';

export interface ChessChatProps {
  readonly gameId: string;
  readonly room: string;
  readonly channel: ChatChannel;
  /** Null when this person may only read (a player reading nothing, say); a reason to show instead of the input. */
  readonly readOnlyReason: string | null;
}

export function ChessChat({ gameId, room, channel, readOnlyReason }: ChessChatProps) {
  const engine = useEngine();
  const messages = useChessChat(room);
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const viewport = useRef<HTMLDivElement>(null);
  const count = messages?.length ?? 0;
  useEffect(() => {
    viewport.current?.scrollTo({ top: viewport.current.scrollHeight });
  }, [count]);
  const label = channel === 'players' ? 'Message to your opponent' : 'Message to spectators';
  const send = async () => {
    if (!engine || text.trim() === '') return;
    setSending(true);
    setError(null);
    const outgoing = text;
    setText('');
    try {
      const decision = await sendChessIntent(engine, 'chess.chat', { gameId, channel, text: outgoing });
      if (decision.status !== 'accepted') {
        setError(rejectionText(decision));
        setText(outgoing);
      }
    } catch (cause) {
      setError((cause as Error).message);
      setText(outgoing);
    } finally {
      setSending(false);
    }
  };
  return (
    <Stack gap="xs">
      <ScrollArea.Autosize mah={200} viewportRef={viewport} type="auto">
        <Stack gap={4} role="log" aria-label={channel === 'players' ? 'Players chat' : 'Spectators chat'} data-testid={`chat-${channel}`}>
          {count === 0 && (
            <Text size="sm" c="dimmed">
              {channel === 'players' ? 'Only you and your opponent see this chat.' : 'Spectators and players talk here.'}
            </Text>
          )}
          {messages?.map((message) => (
            <Text key={message.id} size="sm" style={{ overflowWrap: 'anywhere' }}>
              <Text span fw={600}>
                {message.displayName}:
              </Text>{' '}
              {message.text}
            </Text>
          ))}
        </Stack>
      </ScrollArea.Autosize>
      {readOnlyReason === null ? (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void send();
          }}
        >
          <Group gap="xs" wrap="nowrap" align="flex-start">
            <TextInput
              aria-label={label}
              placeholder={channel === 'players' ? 'Say something to your opponent' : 'Say something'}
              value={text}
              maxLength={CHAT_MAX_LENGTH}
              onChange={(event) => setText(event.currentTarget.value)}
              error={error}
              style={{ flex: 1 }}
            />
            <Button type="submit" variant="default" loading={sending} disabled={text.trim() === ''}>
              Send
            </Button>
          </Group>
        </form>
      ) : (
        <Text size="sm" c="dimmed">
          {readOnlyReason}
        </Text>
      )}
    </Stack>
  );
}
