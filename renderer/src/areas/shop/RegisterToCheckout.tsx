/**
 * A guest who checks out is asked to create an account. Registering upgrades the guest in place
 * (same user id), so the cart, which lives in the user's own room, is kept as it is.
 */
import { Alert, Anchor, Button, Group, Modal, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { IconShoppingCartCheck } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { DIALOG_PROPS } from './components.tsx';
import { useOnline } from '../../app/network.ts';
import { useRuntime } from '../../app/RuntimeContext.tsx';
import { describeError } from '../account/SignInPanel.tsx';

export function RegisterToCheckout({ opened, onClose, onRegistered }: { readonly opened: boolean; readonly onClose: () => void; readonly onRegistered: () => void }) {
  const { session } = useRuntime();
  const online = useOnline();
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
      await session.register({ email: email.trim(), password, displayName: displayName.trim() || email.split('@')[0] || 'Member' });
      onRegistered();
    } catch (cause) {
      setError(describeError(cause));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal {...DIALOG_PROPS} opened={opened} onClose={onClose} title="Create an account to check out" centered>
      <Stack gap="sm" component="form" onSubmit={(event: FormEvent) => void submit(event)} aria-label="Create an account">
        <Text size="sm">Orders need an account so that you can follow them. Your cart stays exactly as it is.</Text>
        {!online && (
          <Alert color="gray" variant="light">
            You are offline. Creating an account needs the server; your cart is kept on this device meanwhile.
          </Alert>
        )}
        <TextInput label="Your name" value={displayName} onChange={(event) => setDisplayName(event.currentTarget.value)} maxLength={80} autoComplete="name" data-autofocus />
        <TextInput label="Email" type="email" required value={email} onChange={(event) => setEmail(event.currentTarget.value)} autoComplete="email" />
        <PasswordInput label="Password" required description="At least 10 characters; common passwords are refused." value={password} onChange={(event) => setPassword(event.currentTarget.value)} autoComplete="new-password" />
        {error && (
          <Alert color="red" variant="light" role="alert">
            {error}
          </Alert>
        )}
        <Group justify="space-between">
          <Anchor component={Link} to="/account" size="sm" onClick={onClose}>
            I already have an account
          </Anchor>
          <Button type="submit" loading={busy} disabled={!online} leftSection={<IconShoppingCartCheck size={18} />}>
            Create account
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
