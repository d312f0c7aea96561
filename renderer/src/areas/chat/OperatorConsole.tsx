/**
 * The server operator's console: AI spend across every community (by community, person, model and
 * day, with a chart), the global kill switch and the switches for any community, person or chat
 * session, and the operator's budgets (defaults, ceiling, global daily cap).
 *
 * The operator credential is outside every tenant, so no sign-in carries it: it is typed here, held
 * in this component's memory only (never stored, never synced) and sent only to this app's server.
 */
import { Alert, Autocomplete, Button, Card, Checkbox, Group, Loader, NumberInput, PasswordInput, SegmentedControl, SimpleGrid, Stack, Switch, Text, TextInput, Title } from '@mantine/core';
import { IconLock, IconPower } from '@tabler/icons-react';
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import type { KillSwitchRequest, OperatorBudgets, SpendReport, TenantBudgets } from '../../../../shared/api/llm.ts';
import { useRuntime } from '../../app/RuntimeContext.tsx';
import { LlmApi, LlmHttpError } from './llm-api.ts';
import { formatSpend } from './prompt.ts';
import { SpendOverview } from './SpendOverview.tsx';
import { PeriodControl, SwitchedOffTable, useAdminAction, useSpendPeriod, useSpendReport, type SwitchedOffRow } from './spend-admin.tsx';

const TENANT_FIELDS: ReadonlyArray<{ field: keyof TenantBudgets; label: string }> = [
  { field: 'sessionMicroUsd', label: 'Per chat session' },
  { field: 'userDailyMicroUsd', label: 'Per person per day' },
  { field: 'tenantDailyMicroUsd', label: 'Per community per day' },
  { field: 'tenantMonthlyMicroUsd', label: 'Per community per month' },
];

const dollars = (microUsd: number) => microUsd / 1_000_000;
const micro = (value: string | number) => Math.round(Number(value) * 1_000_000);

function messageOf(cause: unknown): string {
  if (cause instanceof LlmHttpError && cause.status === 401) return 'That is not the operator credential of this server.';
  return (cause as Error).message;
}

function BudgetFields({ legend, value, onChange }: { readonly legend: string; readonly value: TenantBudgets; readonly onChange: (next: TenantBudgets) => void }) {
  return (
    <Stack gap="xs" component="fieldset" style={{ border: 0, padding: 0, margin: 0 }}>
      <Text component="legend" fw={600} size="sm">
        {legend}
      </Text>
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        {TENANT_FIELDS.map(({ field, label }) => (
          <NumberInput key={field} label={`${legend}: ${label.toLowerCase()}`} prefix="$" decimalScale={6} min={0} step={0.5} value={dollars(value[field])} onChange={(next) => onChange({ ...value, [field]: micro(next) })} />
        ))}
      </SimpleGrid>
    </Stack>
  );
}

function OperatorBudgetsEditor({ api }: { readonly api: LlmApi }) {
  const [draft, setDraft] = useState<OperatorBudgets | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    api.operatorBudgets().then(
      (value) => live && setDraft(value),
      (cause: unknown) => live && setError(messageOf(cause)),
    );
    return () => {
      live = false;
    };
  }, [api]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!draft) return;
    const over = TENANT_FIELDS.find(({ field }) => draft.defaults[field] > draft.ceiling[field]);
    if (over) {
      setError(`The default ${over.label.toLowerCase()} is above its ceiling.`);
      return;
    }
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      setDraft(await api.setOperatorBudgets(draft));
      setSaved(true);
    } catch (cause) {
      setError(messageOf(cause));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card withBorder padding="lg" component="form" onSubmit={(event) => void submit(event)} aria-label="Operator budgets">
      <Stack gap="sm">
        <Title order={3} size="h4">
          Budgets for every community
        </Title>
        {!draft ? (
          error ? (
            <Alert color="red" variant="light" role="alert">
              {error}
            </Alert>
          ) : (
            <Loader size="sm" aria-label="Loading the operator budgets" />
          )
        ) : (
          <>
            <Text size="sm" c="dimmed">
              Communities start with the defaults; their admins may change their own budgets up to the ceiling. The global cap holds for all of Plaza each day.
            </Text>
            <BudgetFields legend="Default" value={draft.defaults} onChange={(defaults) => setDraft({ ...draft, defaults })} />
            <BudgetFields legend="Ceiling" value={draft.ceiling} onChange={(ceiling) => setDraft({ ...draft, ceiling })} />
            <Group align="flex-end">
              <Checkbox label="A global daily cap" checked={draft.globalDailyMicroUsd !== null} onChange={(event) => setDraft({ ...draft, globalDailyMicroUsd: event.currentTarget.checked ? draft.ceiling.tenantDailyMicroUsd : null })} />
              {draft.globalDailyMicroUsd !== null && (
                <NumberInput label="All of Plaza per day" prefix="$" decimalScale={6} min={0} step={1} value={dollars(draft.globalDailyMicroUsd)} onChange={(next) => setDraft({ ...draft, globalDailyMicroUsd: micro(next) })} />
              )}
            </Group>
            {error && (
              <Alert color="red" variant="light" role="alert">
                {error}
              </Alert>
            )}
            {saved && (
              <Text size="sm" c="teal.9" role="status">
                Operator budgets saved. They apply to the next AI call.
              </Text>
            )}
            <Group>
              <Button type="submit" loading={busy}>
                Save operator budgets
              </Button>
            </Group>
          </>
        )}
      </Stack>
    </Card>
  );
}

function parseTarget(target: string): { tenant: string; user?: string; session?: string } {
  const [tenant = '', user, session] = target.split('/').map((part) => decodeURIComponent(part));
  return { tenant, ...(user === undefined ? {} : { user }), ...(session === undefined ? {} : { session }) };
}

function describeSwitch(scope: string, target: string): string {
  const { tenant, user, session } = parseTarget(target);
  if (scope === 'tenant') return `Community ${tenant}`;
  if (scope === 'user') return `Person ${user ?? ''} in ${tenant}`;
  return `Session ${session ?? ''} of ${user ?? ''} in ${tenant}`;
}

function OperatorKillSwitches({ api, report, onChanged }: { readonly api: LlmApi; readonly report: SpendReport; readonly onChanged: () => void }) {
  const [scope, setScope] = useState<'tenant' | 'user' | 'session'>('tenant');
  const [tenant, setTenant] = useState('');
  const [user, setUser] = useState('');
  const [session, setSession] = useState('');
  const [reason, setReason] = useState('');
  const [result, setResult] = useState<string | null>(null);
  const { busy, error, setError, run } = useAdminAction(messageOf);
  const globalOff = report.killSwitches.some((row) => row.scope === 'global');
  const id = /^[A-Za-z0-9_-]{1,64}$/;

  const act = (request: KillSwitchRequest) => {
    setResult(null);
    return run(async () => {
      const response = await api.operatorKillSwitch(request);
      setResult(response.on ? `Switched off; ${response.callsCut} running ${response.callsCut === 1 ? 'answer was' : 'answers were'} cut.` : 'Switched back on.');
      onChanged();
    });
  };

  const switchedOff: SwitchedOffRow[] = report.killSwitches
    .filter((row) => row.scope !== 'global')
    .map((row) => ({
      key: `${row.scope}:${row.target}`,
      label: describeSwitch(row.scope, row.target),
      reason: row.reason,
      switchOn: () => void act({ scope: row.scope as 'tenant' | 'user' | 'session', on: false, ...parseTarget(row.target) }),
    }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const invalid = !id.test(tenant.trim())
      ? 'Enter the community id (letters, digits, _ and -).'
      : scope !== 'tenant' && !id.test(user.trim())
        ? 'Enter the person’s id (letters, digits, _ and -).'
        : scope === 'session' && !/^[A-Za-z0-9_-]{1,128}$/.test(session.trim())
          ? 'Enter the chat session id (letters, digits, _ and -).'
          : null;
    if (invalid) {
      setError(invalid);
      return;
    }
    void act({
      scope,
      on: true,
      tenant: tenant.trim(),
      ...(scope === 'tenant' ? {} : { user: user.trim() }),
      ...(scope === 'session' ? { session: session.trim() } : {}),
      ...(reason.trim() ? { reason: reason.trim() } : {}),
    });
  };

  return (
    <Card withBorder padding="lg">
      <Stack gap="sm">
        <Title order={3} size="h4">
          Kill switches
        </Title>
        <Switch
          label="AI assistant on for everyone"
          description={globalOff ? 'Switched off for all of Plaza: every call is refused.' : 'Switching it off cuts every running answer at once, in every community.'}
          checked={!globalOff}
          disabled={busy}
          onChange={(event) => void act({ scope: 'global', on: !event.currentTarget.checked, ...(reason.trim() ? { reason: reason.trim() } : {}) })}
          data-testid="kill-global"
        />
        <form onSubmit={submit} aria-label="Switch off for a community, person or session">
          <Stack gap="xs">
            <SegmentedControl
              aria-label="What to switch off"
              value={scope}
              onChange={(value) => setScope(value as 'tenant' | 'user' | 'session')}
              data={[
                { value: 'tenant', label: 'A community' },
                { value: 'user', label: 'A person' },
                { value: 'session', label: 'A chat session' },
              ]}
            />
            <Group grow align="flex-end">
              <Autocomplete label="Community id" data={report.byTenant.map((row) => row.tenant)} value={tenant} onChange={setTenant} />
              {scope !== 'tenant' && <TextInput label="Person id" value={user} onChange={(event) => setUser(event.currentTarget.value)} />}
              {scope === 'session' && <TextInput label="Session id" value={session} onChange={(event) => setSession(event.currentTarget.value)} />}
            </Group>
            <TextInput label="Reason (shown to them)" value={reason} onChange={(event) => setReason(event.currentTarget.value)} maxLength={200} />
            <Group>
              <Button type="submit" color="red" variant="light" leftSection={<IconPower size={16} />} loading={busy}>
                Switch off
              </Button>
            </Group>
          </Stack>
        </form>
        {error && (
          <Alert color="red" variant="light" role="alert">
            {error}
          </Alert>
        )}
        {result && (
          <Text size="sm" role="status">
            {result}
          </Text>
        )}
        <SwitchedOffTable rows={switchedOff} busy={busy} testId="operator-switches" />
      </Stack>
    </Card>
  );
}

function Unlock({ serverUrl, onOpen }: { readonly serverUrl: string; readonly onOpen: (api: LlmApi) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const credential = key.trim();
    if (credential.length === 0) {
      setError('Enter the operator credential.');
      return;
    }
    setBusy(true);
    setError(null);
    const api = new LlmApi({ serverUrl, token: () => Promise.resolve(credential) });
    try {
      await api.operatorBudgets();
      onOpen(api);
    } catch (cause) {
      setError(messageOf(cause));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card withBorder padding="lg" component="form" onSubmit={(event) => void submit(event)} aria-label="Open the operator console" maw={560}>
      <Stack gap="sm">
        <Title order={3} size="h4">
          Operator console
        </Title>
        <Text size="sm" c="dimmed">
          For the person who runs this Plaza server: spend across every community, the global kill switch and the budgets every community starts with. The credential is in the
          server’s data directory (keys/operator.key). It stays in this page’s memory only.
        </Text>
        <PasswordInput label="Operator credential" value={key} onChange={(event) => setKey(event.currentTarget.value)} autoComplete="off" error={error ?? undefined} />
        <Group>
          <Button type="submit" loading={busy} leftSection={<IconLock size={16} />}>
            Open the console
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

export function OperatorConsole() {
  const { session } = useRuntime();
  const [api, setApi] = useState<LlmApi | null>(null);
  const { days, setDays, range } = useSpendPeriod();
  const load = useMemo(() => (api ? (from: string, to: string) => api.operatorSpend(from, to) : null), [api]);
  const { report, error, reload, clear } = useSpendReport(load, range, messageOf);

  if (!api) return <Unlock serverUrl={session.api.baseUrl} onOpen={setApi} />;

  return (
    <Stack gap="lg" data-testid="llm-operator">
      <Group justify="space-between" align="flex-end">
        <Title order={3} size="h4">
          AI spend across every community
        </Title>
        <Group gap="xs">
          <PeriodControl value={days} onChange={setDays} />
          <Button
            variant="default"
            leftSection={<IconLock size={16} />}
            onClick={() => {
              setApi(null);
              clear();
            }}
          >
            Lock
          </Button>
        </Group>
      </Group>
      {error && (
        <Alert color="red" variant="light" role="alert">
          {error}
        </Alert>
      )}
      {!report ? (
        !error && <Loader size="sm" aria-label="Loading spend" />
      ) : (
        <>
          {report.killSwitches.some((row) => row.scope === 'global') && (
            <Alert color="red" variant="light" title="The AI assistant is switched off for everyone." data-testid="operator-global-off">
              Every call in every community is refused until you switch it back on below. {formatSpend(report.total.openReservedMicroUsd)} is still held by calls being settled.
            </Alert>
          )}
          <SpendOverview report={report} range={range} nameOf={(user) => user} byTenant />
          <OperatorKillSwitches api={api} report={report} onChanged={reload} />
        </>
      )}
      <OperatorBudgetsEditor api={api} />
    </Stack>
  );
}
