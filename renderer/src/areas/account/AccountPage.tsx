import { Alert, Button, Card, Group, Loader, SegmentedControl, Stack, Text, TextInput, Title, useMantineColorScheme, type MantineColorScheme } from '@mantine/core';
import { useEffect, useState } from 'react';
import { USER_SETTINGS } from '../../../../shared/sync/layouts/user.ts';
import { roomNames } from '../../../../shared/sync/rooms.ts';
import { usePlatform } from '../../app/PlatformContext.tsx';
import { useEngine, useSession } from '../../app/RuntimeContext.tsx';
import { MembersPanel } from './MembersPanel.tsx';
import { ProfilePanel } from './ProfilePanel.tsx';
import { SignInPanel } from './SignInPanel.tsx';

function ServerSettings() {
  const platform = usePlatform();
  const [current, setCurrent] = useState<string | null>(null);
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    let live = true;
    void platform.serverUrl().then((url) => {
      if (!live) return;
      setCurrent(url);
      setDraft(url);
    });
    return () => {
      live = false;
    };
  }, [platform]);

  const save = async () => {
    setError(null);
    try {
      const url = new URL(draft);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('use an http:// or https:// address');
    } catch (cause) {
      setError(cause instanceof TypeError ? 'That is not a valid address.' : (cause as Error).message);
      return;
    }
    setSaving(true);
    try {
      await platform.setServerUrl(draft);
    } catch (cause) {
      setError((cause as Error).message);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Card withBorder padding="lg">
      <Stack gap="sm">
        <Title order={3} size="h4">
          Sync server
        </Title>
        {platform.canChangeServer ? (
          <>
            <TextInput
              label="Server address"
              description="The Plaza sync server this app talks to. The window reloads after a change."
              value={draft}
              onChange={(event) => setDraft(event.currentTarget.value)}
              error={error}
              placeholder="http://127.0.0.1:8787"
            />
            <Group>
              <Button onClick={() => void save()} loading={saving} disabled={draft === current}>
                Save server
              </Button>
            </Group>
          </>
        ) : (
          <Text>
            This is the web version of Plaza, served by <Text span ff="monospace">{current ?? '…'}</Text>. It always syncs with that server.
          </Text>
        )}
      </Stack>
    </Card>
  );
}

function AppearanceSettings() {
  const { colorScheme, setColorScheme } = useMantineColorScheme();
  const engine = useEngine();
  const choose = (value: MantineColorScheme) => {
    setColorScheme(value);
    if (!engine) return;
    // Saved in the user's own room: it follows them to their other devices.
    const room = engine.client.replica(roomNames.user(engine.identity.tenant.id, engine.identity.user.id));
    room?.doc.getMap(USER_SETTINGS).set('colorScheme', value);
  };
  return (
    <Card withBorder padding="lg">
      <Stack gap="sm">
        <Title order={3} size="h4">
          Appearance
        </Title>
        <SegmentedControl
          aria-label="Colour scheme"
          value={colorScheme}
          onChange={(value) => choose(value as MantineColorScheme)}
          data={[
            { value: 'light', label: 'Light' },
            { value: 'dark', label: 'Dark' },
            { value: 'auto', label: 'System' },
          ]}
        />
        <Text size="sm" c="dimmed">
          {engine ? 'Synced to your other devices.' : 'Kept on this device until you sign in.'}
        </Text>
      </Stack>
    </Card>
  );
}

export function AccountPage() {
  const session = useSession();
  return (
    <Stack maw={760} gap="lg">
      <Title order={2}>Account and settings</Title>
      {session.kind === 'loading' && <Loader aria-label="Loading your session" />}
      {session.kind === 'signed-out' && (
        <>
          {session.notice && (
            <Alert color="yellow" variant="light">
              {session.notice}
            </Alert>
          )}
          <SignInPanel />
        </>
      )}
      {session.kind === 'signed-in' && (
        <>
          {session.accessToken === null && (
            <Alert color="gray" variant="light" title="Offline">
              You are working offline as {session.identity.user.displayName}. Your changes are kept here and sent when the server is reachable.
            </Alert>
          )}
          <ProfilePanel identity={session.identity} />
          {(session.identity.role === 'owner' || session.identity.role === 'admin') && <MembersPanel identity={session.identity} />}
        </>
      )}
      <AppearanceSettings />
      <ServerSettings />
    </Stack>
  );
}
