/** The conversations: start one, pick one, rename or delete one. */
import { ActionIcon, Button, Group, Loader, Menu, Modal, NavLink, Stack, Text, TextInput } from '@mantine/core';
import { IconDots, IconPencil, IconPlus, IconTrash } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { CHAT_MAX_TITLE } from '../../../../shared/sync/layouts/chat.ts';
import type { ChatThreadRow } from '../../engine/projections/chat.ts';
import { useNow } from './useNow.ts';

function when(updatedAt: number, now: number): string {
  const minutes = Math.floor((now - updatedAt) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  if (minutes < 24 * 60) return `${Math.floor(minutes / 60)} h ago`;
  return new Date(updatedAt).toLocaleDateString();
}

export interface ThreadListProps {
  readonly threads: readonly ChatThreadRow[] | undefined;
  readonly activeId: string | null;
  readonly creating: boolean;
  readonly onNew: () => void;
  readonly onRename: (id: string, title: string) => Promise<void>;
  readonly onDelete: (id: string) => Promise<void>;
}

export function ThreadList({ threads, activeId, creating, onNew, onRename, onDelete }: ThreadListProps) {
  const [renaming, setRenaming] = useState<ChatThreadRow | null>(null);
  const [title, setTitle] = useState('');
  const [deleting, setDeleting] = useState<ChatThreadRow | null>(null);
  const [error, setError] = useState<string | null>(null);
  const now = useNow(60_000);

  const submitRename = (event: FormEvent) => {
    event.preventDefault();
    if (!renaming) return;
    const clean = title.trim();
    if (clean.length === 0) {
      setError('A conversation needs a title.');
      return;
    }
    void onRename(renaming.id, clean).then(
      () => setRenaming(null),
      (cause: unknown) => setError((cause as Error).message),
    );
  };

  return (
    <Stack gap="xs">
      {/* Not "light": its hover shade leaves the label below 4.5:1 contrast. */}
      <Button leftSection={<IconPlus size={16} />} onClick={onNew} loading={creating} variant="default">
        New conversation
      </Button>
      {threads === undefined ? (
        <Loader size="sm" aria-label="Loading conversations" />
      ) : threads.length === 0 ? (
        <Text size="sm" c="dimmed">
          No conversations yet. They are kept on this device and synced to your others.
        </Text>
      ) : (
        <nav aria-label="Conversations">
          <Stack gap={2}>
            {threads.map((thread) => (
              <Group key={thread.id} gap={2} wrap="nowrap" align="center">
                <NavLink
                  component={Link}
                  to={`/chat/t/${thread.id}`}
                  label={
                    <>
                      <Text size="sm" lineClamp={2}>
                        {thread.title}
                      </Text>
                      {/* Not the NavLink description: its dimming fails contrast on the active row. */}
                      <Text size="xs">{when(thread.updatedAt, now)}</Text>
                    </>
                  }
                  active={thread.id === activeId}
                  aria-current={thread.id === activeId ? 'page' : undefined}
                  variant="filled"
                  data-testid="thread-link"
                />
                <Menu position="bottom-end" withinPortal>
                  <Menu.Target>
                    <ActionIcon variant="subtle" aria-label={`Actions for “${thread.title}”`}>
                      <IconDots size={16} />
                    </ActionIcon>
                  </Menu.Target>
                  <Menu.Dropdown>
                    <Menu.Item
                      leftSection={<IconPencil size={14} />}
                      onClick={() => {
                        setError(null);
                        setTitle(thread.title);
                        setRenaming(thread);
                      }}
                    >
                      Rename
                    </Menu.Item>
                    <Menu.Item color="red" leftSection={<IconTrash size={14} />} onClick={() => setDeleting(thread)}>
                      Delete
                    </Menu.Item>
                  </Menu.Dropdown>
                </Menu>
              </Group>
            ))}
          </Stack>
        </nav>
      )}

      <Modal opened={renaming !== null} onClose={() => setRenaming(null)} title="Rename conversation">
        <form onSubmit={submitRename}>
          <Stack>
            <TextInput label="Title" value={title} onChange={(event) => setTitle(event.currentTarget.value)} maxLength={CHAT_MAX_TITLE} error={error} data-autofocus />
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setRenaming(null)}>
                Cancel
              </Button>
              <Button type="submit">Save</Button>
            </Group>
          </Stack>
        </form>
      </Modal>

      <Modal opened={deleting !== null} onClose={() => setDeleting(null)} title="Delete conversation?">
        <Stack>
          <Text>
            “{deleting?.title}” and its messages will be removed from all your devices. The AI spend it used stays counted.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setDeleting(null)} data-autofocus>
              Cancel
            </Button>
            <Button
              color="red"
              onClick={() => {
                const target = deleting;
                setDeleting(null);
                if (target) void onDelete(target.id);
              }}
            >
              Delete
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
