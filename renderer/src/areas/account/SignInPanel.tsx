import { Alert, Anchor, Button, Card, Divider, Group, PasswordInput, SegmentedControl, Stack, Text, TextInput, Title } from '@mantine/core';
import { IconInfoCircle, IconUserPlus } from '@tabler/icons-react';
import { useEffect, useState, type FormEvent } from 'react';
import { useRuntime } from '../../app/RuntimeContext.tsx';
import { ApiError } from '../../session/api-client.ts';
import type { SetupResponse } from '../../session/contract.ts';

export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.retryAfterSeconds) return `${error.message} Try again in ${error.retryAfterSeconds} s.`;
    return error.message;
  }
  return (error as Error).message ?? String(error);
}

/** Shown when nobody is signed in: guest in one click, or sign in / create an account. */
export function SignInPanel({ onSignedIn }: { readonly onSignedIn?: () => void }) {
  const { session } = useRuntime();
  const [mode, setMode] = useState<'login' | 'register'>('login');
  const [setup, setSetup] = useState<SetupResponse | null>(null);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<'guest' | 'form' | null>(null);

  useEffect(() => {
    let live = true;
    session.setup().then(
      (value) => live && setSetup(value),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [session]);

  const run = async (kind: 'guest' | 'form', action: () => Promise<void>) => {
    setError(null);
    setBusy(kind);
    try {
      await action();
      onSignedIn?.();
    } catch (cause) {
      setError(describeError(cause));
    } finally {
      setBusy(null);
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void run('form', () => (mode === 'login' ? session.login({ email, password }) : session.register({ email, password, displayName: displayName.trim() || email.split('@')[0] || 'Member' })));
  };

  return (
    <Stack gap="lg" maw={520}>
      {setup && !setup.claimed && (
        <Alert icon={<IconInfoCircle />} title="This Plaza has no owner yet" color="blue" variant="light">
          The first account created here becomes the owner of <Text span fw={600}>{setup.tenant.name}</Text>: it can add products, invite people and
          set budgets. Create it below.
        </Alert>
      )}
      <Card withBorder padding="lg">
        <Stack gap="sm">
          <Title order={3} size="h4">
            Jump in
          </Title>
          <Text c="dimmed">Browse, play chess and fill a cart without an account. You can create one later and keep everything.</Text>
          <Group>
            <Button leftSection={<IconUserPlus size={18} />} loading={busy === 'guest'} disabled={setup?.guestsAllowed === false} onClick={() => void run('guest', () => session.startGuest())}>
              Continue as guest
            </Button>
          </Group>
          {setup?.guestsAllowed === false && <Text size="sm">This Plaza does not allow guests.</Text>}
        </Stack>
      </Card>
      <Divider label="or" labelPosition="center" />
      <Card withBorder padding="lg" component="form" onSubmit={submit} aria-label={mode === 'login' ? 'Sign in' : 'Create an account'}>
        <Stack gap="sm">
          <SegmentedControl
            aria-label="Sign in or create an account"
            value={mode}
            onChange={(value) => setMode(value as 'login' | 'register')}
            data={[
              { value: 'login', label: 'Sign in' },
              { value: 'register', label: 'Create account' },
            ]}
          />
          {mode === 'register' && <TextInput label="Your name" value={displayName} onChange={(event) => setDisplayName(event.currentTarget.value)} maxLength={80} autoComplete="name" />}
          <TextInput label="Email" type="email" required value={email} onChange={(event) => setEmail(event.currentTarget.value)} autoComplete="email" />
          <PasswordInput
            label="Password"
            required
            description={mode === 'register' ? 'At least 10 characters; common passwords are refused.' : undefined}
            value={password}
            onChange={(event) => setPassword(event.currentTarget.value)}
            autoComplete={mode === 'register' ? 'new-password' : 'current-password'}
          />
          {error && (
            <Alert color="red" variant="light" role="alert">
              {error}
            </Alert>
          )}
          <Group justify="space-between">
            <Button type="submit" loading={busy === 'form'}>
              {mode === 'login' ? 'Sign in' : 'Create account'}
            </Button>
            {mode === 'login' && (
              <Anchor component="button" type="button" size="sm" onClick={() => setMode('register')}>
                No account yet?
              </Anchor>
            )}
          </Group>
        </Stack>
      </Card>
    </Stack>
  );
}
