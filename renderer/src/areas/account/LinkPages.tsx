import { Alert, Button, Card, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useRuntime, useSession } from '../../app/RuntimeContext.tsx';
import { describeError, SignInPanel } from './SignInPanel.tsx';

/** `/invite/:code`: join a community from an invite link (signing in first if needed). */
export function InvitePage() {
  const { code = '' } = useParams();
  const session = useSession();
  const runtime = useRuntime();
  const navigate = useNavigate();
  const [error, setError] = useState<string | null>(null);
  const accept = async () => {
    setError(null);
    try {
      await runtime.session.acceptInvite(code);
      void navigate('/shop');
    } catch (cause) {
      setError(describeError(cause));
    }
  };
  return (
    <Stack maw={560} gap="lg">
      <Title order={2}>You are invited</Title>
      {session.kind === 'signed-in' && session.identity.user.kind === 'account' ? (
        <Card withBorder padding="lg">
          <Stack>
            <Text>Join this Plaza as {session.identity.user.displayName}?</Text>
            {error && (
              <Alert color="red" variant="light" role="alert">
                {error}
              </Alert>
            )}
            <Button onClick={() => void accept()}>Accept the invitation</Button>
          </Stack>
        </Card>
      ) : (
        <>
          <Text>Sign in or create an account first; then accept the invitation here.</Text>
          <SignInPanel />
        </>
      )}
    </Stack>
  );
}

/** `/reset/:token`: set a new password with a one-time link from an admin. */
export function ResetPasswordPage() {
  const { token = '' } = useParams();
  const { session } = useRuntime();
  const [password, setPassword] = useState('');
  const [state, setState] = useState<{ ok: boolean; text: string } | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await session.api.request('POST', '/api/auth/reset', { body: { token, newPassword: password } });
      setState({ ok: true, text: 'Your password is set. Sign in with it.' });
    } catch (cause) {
      setState({ ok: false, text: describeError(cause) });
    }
  };
  return (
    <Stack maw={480} gap="lg">
      <Title order={2}>Set a new password</Title>
      <Card withBorder padding="lg" component="form" onSubmit={(event) => void submit(event)}>
        <Stack>
          <PasswordInput label="New password" description="At least 10 characters." value={password} onChange={(event) => setPassword(event.currentTarget.value)} required autoComplete="new-password" />
          {state && (
            <Alert color={state.ok ? 'teal' : 'red'} variant="light" role={state.ok ? 'status' : 'alert'}>
              {state.text} {state.ok && <Link to="/account">Go to sign in</Link>}
            </Alert>
          )}
          <Button type="submit">Set password</Button>
        </Stack>
      </Card>
    </Stack>
  );
}
