/**
 * Direct mode settings (desktop only): your own API key or a local OpenAI-compatible server, and
 * the budgets this device enforces on its own. The key goes to the main process once and never
 * comes back (the form shows only whether one is saved). The web flavour has no direct mode.
 */
import { Alert, Button, Card, Group, NumberInput, PasswordInput, Stack, Switch, Text, TextInput, Title } from '@mantine/core';
import { IconInfoCircle } from '@tabler/icons-react';
import { useEffect, useState, useSyncExternalStore, type FormEvent } from 'react';
import { directBaseUrlSchema } from '../../../../shared/platform/bridge-schemas.ts';
import type { DirectBudgets, DirectStatus } from '../../../../shared/platform/bridge.ts';
import { usePlatform } from '../../app/PlatformContext.tsx';

const DIRECT_KEY = 'plaza.chat.directMode';
const CHANGED = 'plaza:direct-mode';

function subscribe(onChange: () => void): () => void {
  window.addEventListener(CHANGED, onChange);
  window.addEventListener('storage', onChange);
  return () => {
    window.removeEventListener(CHANGED, onChange);
    window.removeEventListener('storage', onChange);
  };
}

/** Whether chat goes through direct mode on this device (always false without a desktop host). */
export function useDirectMode(): [boolean, (on: boolean) => void] {
  const platform = usePlatform();
  const stored = useSyncExternalStore(subscribe, () => window.localStorage.getItem(DIRECT_KEY) === 'on');
  const set = (on: boolean) => {
    window.localStorage.setItem(DIRECT_KEY, on ? 'on' : 'off');
    window.dispatchEvent(new Event(CHANGED));
  };
  return [platform.directLlm !== undefined && stored, set];
}

const toDollars = (micro: number) => micro / 1_000_000;
const toMicro = (dollars: number | string) => Math.round(Number(dollars) * 1_000_000);

export function DirectModePanel() {
  const platform = usePlatform();
  const port = platform.directLlm;
  const [enabled, setEnabled] = useDirectMode();
  const [status, setStatus] = useState<DirectStatus | null>(null);
  const [baseURL, setBaseURL] = useState('');
  const [apiKey, setApiKey] = useState('');
  const [budgets, setBudgets] = useState<DirectBudgets | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!port) return undefined;
    let live = true;
    port.status().then(
      (value) => {
        if (!live) return;
        setStatus(value);
        setBaseURL(value.baseURL ?? '');
        setBudgets(value.budgets);
      },
      (cause: unknown) => live && setError((cause as Error).message),
    );
    return () => {
      live = false;
    };
  }, [port]);

  if (!port) {
    return (
      <Alert color="gray" variant="light" icon={<IconInfoCircle />} title="Direct mode is in the desktop app">
        In the desktop app you can use your own API key or a local AI server, with budgets kept on your computer. Here, the AI assistant goes through this
        Plaza server and its budgets.
      </Alert>
    );
  }

  const apply = async (change: Parameters<typeof port.configure>[0]) => {
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      const next = await port.configure(change);
      setStatus(next);
      setBudgets(next.budgets);
      setApiKey('');
      setSaved(true);
    } catch (cause) {
      setError((cause as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const url = directBaseUrlSchema.safeParse(baseURL.trim());
    if (!url.success) {
      setError(url.error.issues[0]?.message ?? 'That address cannot be used.');
      return;
    }
    void apply({ baseURL: url.data, ...(apiKey.length > 0 ? { apiKey } : {}), ...(budgets ? { budgets } : {}) });
  };

  const budgetInput = (field: keyof DirectBudgets, label: string, description: string) => (
    <NumberInput
      label={label}
      description={description}
      prefix="$"
      decimalScale={4}
      min={0}
      max={1000}
      step={0.1}
      value={budgets ? toDollars(budgets[field]) : ''}
      onChange={(value) => budgets && setBudgets({ ...budgets, [field]: toMicro(value) })}
    />
  );

  return (
    <Stack maw={720} gap="lg" data-testid="direct-mode-panel">
      <Card withBorder padding="lg">
        <Stack gap="sm">
          <Title order={3} size="h4">
            Direct mode
          </Title>
          <Text size="sm">
            Calls go from this computer straight to your AI provider or a local server, with your own key. This device’s budgets below are then the only cap, and
            they hold on their own: every call is reserved, clamped and settled in a ledger on this computer.
          </Text>
          <Switch
            label="Use direct mode for AI chat on this device"
            checked={enabled}
            onChange={(event) => setEnabled(event.currentTarget.checked)}
            disabled={!status?.configured}
            description={status?.configured ? undefined : 'Save a server address first.'}
          />
        </Stack>
      </Card>
      <Card withBorder padding="lg" component="form" onSubmit={submit} aria-label="Direct mode settings">
        <Stack gap="sm">
          <TextInput
            label="AI server address"
            description="https://api.openai.com/v1, or a local OpenAI-compatible server such as http://127.0.0.1:11434/v1"
            value={baseURL}
            onChange={(event) => setBaseURL(event.currentTarget.value)}
            placeholder="https://api.openai.com/v1"
          />
          <PasswordInput
            label="API key"
            description={status?.hasKey ? 'A key is saved on this computer. Type a new one to replace it.' : 'Not needed for a local server.'}
            value={apiKey}
            onChange={(event) => setApiKey(event.currentTarget.value)}
            placeholder={status?.hasKey ? '•••••••• (saved)' : 'sk-…'}
            autoComplete="off"
          />
          {budgetInput('sessionMicroUsd', 'Budget per chat session', 'A session stops here; start a new one to go on.')}
          {budgetInput('dailyMicroUsd', 'Budget per day', 'Resets at midnight UTC.')}
          {budgetInput('monthlyMicroUsd', 'Budget per month', 'Resets on the first of the month (UTC).')}
          {error && (
            <Alert color="red" variant="light" role="alert">
              {error}
            </Alert>
          )}
          {saved && (
            <Text size="sm" c="teal.9" role="status">
              Saved. The key stays with the desktop app; it is never shown again.
            </Text>
          )}
          <Group>
            <Button type="submit" loading={busy}>
              Save
            </Button>
            {status?.hasKey && (
              <Button variant="default" color="red" onClick={() => void apply({ apiKey: null })} disabled={busy}>
                Forget the saved key
              </Button>
            )}
          </Group>
        </Stack>
      </Card>
    </Stack>
  );
}
