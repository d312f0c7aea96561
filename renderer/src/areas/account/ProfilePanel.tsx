import { Alert, Badge, Button, Card, Group, Modal, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { IconDownload, IconLogout, IconTrash } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { useRuntime } from '../../app/RuntimeContext.tsx';
import type { Identity } from '../../session/session-manager.ts';
import { describeError } from './SignInPanel.tsx';

/**
 * Dialog props: a labelled close button, and no scroll lock (Mantine's scroll lock injects a
 * `<style>` element without the page's CSP nonce, which is blocked and logged).
 */
const DIALOG_PROPS = { closeButtonProps: { 'aria-label': 'Close' }, lockScroll: false } as const;
/** A fixed dark red: the theme's red in dark mode (red-5) is below WCAG AA behind white text. */
const DANGER = 'red.9';

function UpgradeGuest() {
  const { session } = useRuntime();
  const [displayName, setDisplayName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setBusy(true);
    try {
      await session.register({ email, password, displayName: displayName.trim() || email.split('@')[0] || 'Member' });
    } catch (cause) {
      setError(describeError(cause));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card withBorder padding="lg" component="form" onSubmit={(event) => void submit(event)} aria-label="Create an account">
      <Stack gap="sm">
        <Title order={3} size="h4">
          Keep everything: create an account
        </Title>
        <Text c="dimmed">Your cart, games and settings stay; you will be able to sign in on other devices.</Text>
        <TextInput label="Your name" value={displayName} onChange={(event) => setDisplayName(event.currentTarget.value)} maxLength={80} autoComplete="name" />
        <TextInput label="Email" type="email" required value={email} onChange={(event) => setEmail(event.currentTarget.value)} autoComplete="email" />
        <PasswordInput label="Password" description="At least 10 characters; common passwords are refused." required value={password} onChange={(event) => setPassword(event.currentTarget.value)} autoComplete="new-password" />
        {error && (
          <Alert color="red" variant="light" role="alert">
            {error}
          </Alert>
        )}
        <Group>
          <Button type="submit" loading={busy}>
            Create account
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

function ChangePassword() {
  const { session } = useRuntime();
  const [currentPassword, setCurrent] = useState('');
  const [newPassword, setNext] = useState('');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await session.authed('POST', '/api/auth/password', { currentPassword, newPassword });
      setMessage({ ok: true, text: 'Password changed. Other devices were signed out.' });
      setCurrent('');
      setNext('');
    } catch (cause) {
      setMessage({ ok: false, text: describeError(cause) });
    }
  };
  return (
    <Card withBorder padding="lg" component="form" onSubmit={(event) => void submit(event)} aria-label="Change password">
      <Stack gap="sm">
        <Title order={3} size="h4">
          Password
        </Title>
        <PasswordInput label="Current password" value={currentPassword} onChange={(event) => setCurrent(event.currentTarget.value)} autoComplete="current-password" required />
        <PasswordInput label="New password" value={newPassword} onChange={(event) => setNext(event.currentTarget.value)} autoComplete="new-password" required />
        {message && (
          <Alert color={message.ok ? 'teal' : 'red'} variant="light" role={message.ok ? 'status' : 'alert'}>
            {message.text}
          </Alert>
        )}
        <Group>
          <Button type="submit" variant="default">
            Change password
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

export function ProfilePanel({ identity }: { readonly identity: Identity }) {
  const runtime = useRuntime();
  const [confirmSignOut, setConfirmSignOut] = useState<{ localChanges: number; pendingIntents: number } | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [deletePassword, setDeletePassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const guest = identity.user.kind === 'guest';

  const startSignOut = async () => {
    const unsynced = await runtime.unsyncedChanges();
    if (unsynced.localChanges > 0 || unsynced.pendingIntents > 0) setConfirmSignOut(unsynced);
    else await runtime.signOut();
  };

  const exportData = async () => {
    setError(null);
    try {
      const data = await runtime.session.authed<unknown>('GET', '/api/me/export');
      const blob = new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' });
      const link = document.createElement('a');
      link.href = URL.createObjectURL(blob);
      link.download = `plaza-export-${identity.user.id}.json`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    } catch (cause) {
      setError(describeError(cause));
    }
  };

  const deleteAccount = async () => {
    setError(null);
    try {
      await runtime.session.authed('DELETE', '/api/me', guest ? {} : { password: deletePassword });
      setConfirmDelete(false);
      await runtime.signOut();
    } catch (cause) {
      setError(describeError(cause));
    }
  };

  return (
    <Stack gap="lg" maw={720}>
      <Card withBorder padding="lg">
        <Stack gap="xs">
          <Group justify="space-between">
            <Title order={3} size="h4" data-testid="profile-name">
              {identity.user.displayName}
            </Title>
            <Group gap="xs">
              <Badge variant="default">{guest ? 'Guest' : identity.role}</Badge>
              <Badge variant="default">{identity.tenant.name}</Badge>
            </Group>
          </Group>
          {identity.user.email && <Text c="dimmed">{identity.user.email}</Text>}
          {error && (
            <Alert color="red" variant="light" role="alert">
              {error}
            </Alert>
          )}
          <Group mt="sm">
            <Button variant="default" leftSection={<IconDownload size={16} />} onClick={() => void exportData()}>
              Export my data
            </Button>
            <Button variant="default" color="red" leftSection={<IconTrash size={16} />} onClick={() => setConfirmDelete(true)}>
              Delete account
            </Button>
            <Button variant="default" leftSection={<IconLogout size={16} />} onClick={() => void startSignOut()}>
              Sign out
            </Button>
          </Group>
        </Stack>
      </Card>
      {guest ? <UpgradeGuest /> : <ChangePassword />}

      <Modal {...DIALOG_PROPS} opened={confirmSignOut !== null} onClose={() => setConfirmSignOut(null)} title="Sign out with unsynced changes?">
        <Stack>
          <Text>
            This device has {confirmSignOut?.localChanges ?? 0} change(s) and {confirmSignOut?.pendingIntents ?? 0} request(s) the server has not received yet.
            Signing out deletes them from this device.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirmSignOut(null)}>
              Stay signed in
            </Button>
            <Button
              color={DANGER}
              onClick={() => {
                setConfirmSignOut(null);
                void runtime.signOut();
              }}
            >
              Sign out and discard
            </Button>
          </Group>
        </Stack>
      </Modal>
      <Modal {...DIALOG_PROPS} opened={confirmDelete} onClose={() => setConfirmDelete(false)} title="Delete your account?">
        <Stack>
          <Text>Your account, memberships and private data are removed from the server. This cannot be undone.</Text>
          {!guest && <PasswordInput label="Password" value={deletePassword} onChange={(event) => setDeletePassword(event.currentTarget.value)} autoComplete="current-password" />}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirmDelete(false)}>
              Keep my account
            </Button>
            <Button color={DANGER} onClick={() => void deleteAccount()}>
              Delete for good
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
