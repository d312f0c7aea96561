/**
 * Tenant owners and admins: AI spend by day (chart), by person and by model; the team's budgets
 * (within the operator's ceiling); kill switches for the whole team, one person or one session.
 */
import { Alert, Button, Card, Group, Loader, NumberInput, SegmentedControl, Select, SimpleGrid, Stack, Switch, Text, TextInput, Title } from '@mantine/core';
import { IconPower } from '@tabler/icons-react';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { KillSwitchRequest, SpendReport, TenantBudgets, TenantBudgetsResponse } from '../../../../shared/api/llm.ts';
import { useRuntime } from '../../app/RuntimeContext.tsx';
import type { MemberRow } from '../../session/contract.ts';
import type { Identity } from '../../session/session-manager.ts';
import { formatSpend } from './prompt.ts';
import { SpendOverview } from './SpendOverview.tsx';
import { PeriodControl, SwitchedOffTable, useAdminAction, useSpendPeriod, useSpendReport, type SwitchedOffRow } from './spend-admin.tsx';
import { useLlmApi } from './useChatData.ts';

const BUDGET_FIELDS: ReadonlyArray<{ field: keyof TenantBudgets; label: string; description: string }> = [
  { field: 'sessionMicroUsd', label: 'Per chat session', description: 'A session stops here; a new one starts fresh.' },
  { field: 'userDailyMicroUsd', label: 'Per person per day', description: 'Resets at midnight UTC.' },
  { field: 'tenantDailyMicroUsd', label: 'Whole team per day', description: 'Resets at midnight UTC.' },
  { field: 'tenantMonthlyMicroUsd', label: 'Whole team per month', description: 'Resets on the first (UTC).' },
];

function BudgetsEditor({ tenant }: { readonly tenant: string }) {
  const api = useLlmApi();
  const [response, setResponse] = useState<TenantBudgetsResponse | null>(null);
  const [draft, setDraft] = useState<Record<keyof TenantBudgets, number> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    api.budgets(tenant).then(
      (value) => {
        if (!live) return;
        setResponse(value);
        const source = value.own ?? value.effective;
        // Only the tenant's four fields: `effective` also carries the global cap, which is not the tenant's to set.
        setDraft({ sessionMicroUsd: source.sessionMicroUsd, userDailyMicroUsd: source.userDailyMicroUsd, tenantDailyMicroUsd: source.tenantDailyMicroUsd, tenantMonthlyMicroUsd: source.tenantMonthlyMicroUsd });
      },
      (cause: unknown) => live && setError((cause as Error).message),
    );
    return () => {
      live = false;
    };
  }, [api, tenant]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!draft || !response) return;
    for (const { field, label } of BUDGET_FIELDS) {
      if (draft[field] > response.ceiling[field]) {
        setError(`${label}: at most ${formatSpend(response.ceiling[field])} (the operator’s ceiling).`);
        return;
      }
    }
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      const next = await api.setBudgets(tenant, draft);
      setResponse(next);
      setSaved(true);
    } catch (cause) {
      setError((cause as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card withBorder padding="lg" component="form" onSubmit={(event) => void submit(event)} aria-label="Team AI budgets">
      <Stack gap="sm">
        <Title order={3} size="h4">
          Budgets
        </Title>
        {!draft || !response ? (
          error ? <Alert color="red">{error}</Alert> : <Loader size="sm" aria-label="Loading budgets" />
        ) : (
          <>
            <Text size="sm" c="dimmed">
              {response.own ? 'Your team’s own budgets.' : 'Your team uses the operator’s defaults; saving sets its own.'} Each is capped by the operator’s ceiling.
            </Text>
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              {BUDGET_FIELDS.map(({ field, label, description }) => (
                <NumberInput
                  key={field}
                  label={label}
                  description={`${description} Ceiling ${formatSpend(response.ceiling[field])}.`}
                  prefix="$"
                  decimalScale={6}
                  min={0}
                  max={response.ceiling[field] / 1_000_000}
                  step={0.5}
                  value={draft[field] / 1_000_000}
                  onChange={(value) => setDraft({ ...draft, [field]: Math.round(Number(value) * 1_000_000) })}
                  data-testid={`budget-${field}`}
                />
              ))}
            </SimpleGrid>
            {error && (
              <Alert color="red" variant="light" role="alert">
                {error}
              </Alert>
            )}
            {saved && (
              <Text size="sm" c="teal.9" role="status">
                Budgets saved. They apply to the next AI call.
              </Text>
            )}
            <Group>
              <Button type="submit" loading={busy}>
                Save budgets
              </Button>
            </Group>
          </>
        )}
      </Stack>
    </Card>
  );
}

function parseTarget(scope: string, target: string): { user?: string; session?: string } {
  const parts = target.split('/').map((part) => decodeURIComponent(part));
  if (scope === 'user') return { user: parts[1] ?? '' };
  if (scope === 'session') return { user: parts[1] ?? '', session: parts[2] ?? '' };
  return {};
}

function KillSwitches({ tenant, report, members, onChanged }: { readonly tenant: string; readonly report: SpendReport | null; readonly members: readonly MemberRow[]; readonly onChanged: () => void }) {
  const api = useLlmApi();
  const [scope, setScope] = useState<'user' | 'session'>('user');
  const [user, setUser] = useState<string | null>(null);
  const [session, setSession] = useState('');
  const [reason, setReason] = useState('');
  const { busy, error, setError, run } = useAdminAction(errorMessage);
  const nameOf = (id: string) => members.find((member) => member.id === id)?.displayName ?? id;
  const switches = report?.killSwitches.filter((row) => row.scope !== 'global') ?? [];
  const tenantOff = switches.some((row) => row.scope === 'tenant');
  const globalOff = report?.killSwitches.some((row) => row.scope === 'global') ?? false;

  const act = (request: KillSwitchRequest) =>
    run(async () => {
      await api.killSwitch(tenant, request);
      onChanged();
    });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!user) {
      setError('Choose a person.');
      return;
    }
    if (scope === 'session' && !/^[A-Za-z0-9_-]{1,128}$/.test(session.trim())) {
      setError('Enter the chat session id (letters, digits, _ and -).');
      return;
    }
    void act({ scope, on: true, user, ...(scope === 'session' ? { session: session.trim() } : {}), ...(reason.trim() ? { reason: reason.trim() } : {}) });
  };

  const switchedOff: SwitchedOffRow[] = switches
    .filter((row) => row.scope !== 'tenant')
    .map((row) => {
      const target = parseTarget(row.scope, row.target);
      return {
        key: `${row.scope}:${row.target}`,
        label: row.scope === 'user' ? nameOf(target.user ?? '') : `${nameOf(target.user ?? '')}: session ${target.session ?? ''}`,
        reason: row.reason,
        switchOn: () => void act({ scope: row.scope as 'user' | 'session', on: false, user: target.user ?? '', ...(row.scope === 'session' ? { session: target.session ?? '' } : {}) }),
      };
    });

  return (
    <Card withBorder padding="lg">
      <Stack gap="sm">
        <Title order={3} size="h4">
          Kill switches
        </Title>
        {globalOff && (
          <Alert color="red" variant="light">
            The Plaza operator has switched the AI assistant off for everyone.
          </Alert>
        )}
        <Switch
          label="AI assistant on for the whole team"
          description={tenantOff ? 'Switched off: every call is refused and running answers were cut.' : 'Switching it off cuts running answers at once.'}
          checked={!tenantOff}
          disabled={busy || report === null}
          onChange={(event) => void act({ scope: 'tenant', on: !event.currentTarget.checked })}
          data-testid="kill-tenant"
        />
        <form onSubmit={submit} aria-label="Switch off for one person or session">
          <Stack gap="xs">
            <SegmentedControl
              aria-label="What to switch off"
              value={scope}
              onChange={(value) => setScope(value as 'user' | 'session')}
              data={[
                { value: 'user', label: 'One person' },
                { value: 'session', label: 'One chat session' },
              ]}
            />
            <Group grow align="flex-end">
              <Select label="Person" data={members.filter((member) => member.kind === 'account').map((member) => ({ value: member.id, label: member.displayName }))} value={user} onChange={setUser} searchable />
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
        <SwitchedOffTable rows={switchedOff} busy={busy} />
      </Stack>
    </Card>
  );
}

const errorMessage = (cause: unknown) => (cause as Error).message;

export function AdminDashboard({ identity }: { readonly identity: Identity }) {
  const api = useLlmApi();
  const { session } = useRuntime();
  const tenant = identity.tenant.id;
  const { days, setDays, range } = useSpendPeriod();
  const load = useCallback((from: string, to: string) => api.spend(tenant, from, to), [api, tenant]);
  const { report, error, reload } = useSpendReport(load, range, errorMessage);
  const [members, setMembers] = useState<readonly MemberRow[]>([]);

  useEffect(() => {
    let live = true;
    session.authed<{ members: MemberRow[] }>('GET', `/api/tenants/${encodeURIComponent(tenant)}/members`).then(
      (value) => live && setMembers(value.members),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [session, tenant]);

  const nameOf = (id: string) => members.find((member) => member.id === id)?.displayName ?? id;
  return (
    <Stack gap="lg" data-testid="llm-admin">
      <Group justify="space-between" align="flex-end">
        <Title order={3} size="h4">
          AI spend of {identity.tenant.name}
        </Title>
        <PeriodControl value={days} onChange={setDays} />
      </Group>
      {error && (
        <Alert color="red" variant="light" role="alert">
          {error}
        </Alert>
      )}
      {!report ? (
        !error && <Loader size="sm" aria-label="Loading spend" />
      ) : (
        <SpendOverview report={report} range={range} nameOf={(user) => nameOf(user)} />
      )}
      <BudgetsEditor tenant={tenant} />
      <KillSwitches tenant={tenant} report={report} members={members} onChanged={reload} />
    </Stack>
  );
}
