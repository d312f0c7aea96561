import { Alert, Button, Card, Group, SegmentedControl, Stack, Text, TextInput, Title, useMantineColorScheme, type MantineColorScheme } from '@mantine/core';
import { useEffect, useState } from 'react';
import { usePlatform } from '../../app/PlatformContext.tsx';

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
  return (
    <Card withBorder padding="lg">
      <Stack gap="sm">
        <Title order={3} size="h4">
          Appearance
        </Title>
        <SegmentedControl
          aria-label="Colour scheme"
          value={colorScheme}
          onChange={(value) => setColorScheme(value as MantineColorScheme)}
          data={[
            { value: 'light', label: 'Light' },
            { value: 'dark', label: 'Dark' },
            { value: 'auto', label: 'System' },
          ]}
        />
      </Stack>
    </Card>
  );
}

export function AccountPage() {
  return (
    <Stack maw={720} gap="lg">
      <Title order={2}>Account and settings</Title>
      <Alert variant="light" title="Accounts">
        Sign-in, guest sessions and your data export arrive with accounts. Until then Plaza keeps everything on this device.
      </Alert>
      <ServerSettings />
      <AppearanceSettings />
    </Stack>
  );
}
