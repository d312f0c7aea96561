/**
 * The spend meter: this chat session, today, and what is left in every budget, fed by the inbox
 * room's `llm` map (or, in direct mode, by the main process's ledger). Plus the 50/80/100 % alert
 * banners the server puts in the inbox.
 */
import { Alert, Button, Card, Group, Progress, SimpleGrid, Stack, Text } from '@mantine/core';
import { IconAlertTriangle, IconInfoCircle } from '@tabler/icons-react';
import { useState } from 'react';
import { scopeLabel, type ScopeKind } from '../../../../shared/domain/llm/budgets.ts';
import { formatDuration } from '../../../../shared/domain/llm/meter.ts';
import type { LlmAlertRecord } from '../../../../shared/sync/layouts/llm.ts';
import type { LlmInboxRecord } from '../../engine/projections/llm.ts';
import { formatSpend } from './prompt.ts';

export interface MeterLine {
  readonly kind: ScopeKind;
  readonly label: string;
  readonly spentMicroUsd: number;
  readonly reservedMicroUsd: number;
  readonly capMicroUsd: number;
  readonly resetsAt: number | null;
}

/** The lines of the meter: the session's first, then the user's, team's and global budgets. */
export function meterLines(inbox: LlmInboxRecord | null | undefined, sessionId: string | null): MeterLine[] {
  const lines: MeterLine[] = [];
  const session = sessionId === null ? undefined : inbox?.sessions[sessionId];
  if (session) lines.push({ ...session.budget, label: session.budget.label });
  for (const row of inbox?.meter?.rows ?? []) lines.push({ ...row, label: row.label });
  return lines;
}

const TITLE: Readonly<Record<ScopeKind, string>> = {
  session: 'This session',
  'user-day': 'Today',
  'tenant-day': 'Team today',
  'tenant-month': 'Team this month',
  'global-day': 'Plaza today',
};

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

function Line({ line, now, testId }: { readonly line: MeterLine; readonly now: number; readonly testId?: string }) {
  // A row of a window that has ended since it was written: that budget has reset.
  const stale = line.resetsAt !== null && line.resetsAt <= now;
  const spent = stale ? 0 : line.spentMicroUsd;
  const held = stale ? 0 : line.spentMicroUsd + line.reservedMicroUsd;
  const left = Math.max(0, line.capMicroUsd - held);
  const percent = line.capMicroUsd <= 0 ? 100 : Math.min(100, Math.floor((held * 100) / line.capMicroUsd));
  const color = percent >= 100 ? 'red' : percent >= 80 ? 'orange' : percent >= 50 ? 'yellow' : 'plaza';
  const resets = line.resetsAt === null ? 'Ends with the session' : stale ? 'Has reset' : `Resets in ${formatDuration(line.resetsAt - now)}`;
  return (
    <Stack gap={4} data-testid={testId} data-kind={line.kind}>
      <Group justify="space-between" gap="xs" wrap="nowrap">
        <Text size="sm" fw={600}>
          {TITLE[line.kind]}
        </Text>
        <Text size="sm" data-testid={testId ? `${testId}-spent` : undefined}>
          {formatSpend(spent)} spent
        </Text>
      </Group>
      <Progress value={percent} color={color} size="sm" aria-label={`${capitalised(line.label)}: ${percent} % used`} />
      <Text size="xs" c="dimmed">
        {formatSpend(left)} left of {formatSpend(line.capMicroUsd)} · {resets}
      </Text>
    </Stack>
  );
}

const usedPercent = (line: MeterLine, now: number) => {
  if (line.resetsAt !== null && line.resetsAt <= now) return 0;
  return line.capMicroUsd <= 0 ? 100 : Math.floor(((line.spentMicroUsd + line.reservedMicroUsd) * 100) / line.capMicroUsd);
};

export function SpendMeter({ lines, now, note }: { readonly lines: readonly MeterLine[]; readonly now: number; readonly note?: string }) {
  const [expanded, setExpanded] = useState(false);
  // This session and today always; the team's and global budgets when asked, or when one is nearly spent.
  const primary = lines.filter((line) => line.kind === 'session' || line.kind === 'user-day' || usedPercent(line, now) >= 80);
  const shown = expanded ? lines : primary;
  const hidden = lines.length - primary.length;
  return (
    <Card withBorder padding="sm" component="section" aria-label="AI spend">
      <Stack gap="xs">
        <Group justify="space-between">
          <Text fw={650} size="sm">
            AI spend
          </Text>
          <Group gap="xs">
            {note && (
              <Text size="xs" c="dimmed">
                {note}
              </Text>
            )}
            {hidden > 0 && (
              <Button variant="subtle" size="compact-xs" onClick={() => setExpanded((value) => !value)} aria-expanded={expanded}>
                {expanded ? 'Fewer budgets' : `All budgets (${lines.length})`}
              </Button>
            )}
          </Group>
        </Group>
        {lines.length === 0 ? (
          <Text size="sm" c="dimmed" data-testid="spend-empty">
            Your budgets show here after your first message.
          </Text>
        ) : (
          <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="sm">
            {shown.map((line) => (
              <Line key={line.kind} line={line} now={now} testId={line.kind === 'session' ? 'spend-session' : line.kind === 'user-day' ? 'spend-today' : undefined} />
            ))}
          </SimpleGrid>
        )}
      </Stack>
    </Card>
  );
}

/**
 * Alert titles in the body text colour: the light variants' bold coloured titles (orange above all)
 * fall below 4.5:1 contrast on their tinted background.
 */
export const READABLE_ALERT_TITLE = { title: { color: 'var(--mantine-color-text)' } } as const;

const DISMISSED_KEY = 'plaza.chat.dismissedAlerts';

function loadDismissed(): Set<number> {
  try {
    const list = JSON.parse(window.localStorage.getItem(DISMISSED_KEY) ?? '[]') as unknown;
    return new Set(Array.isArray(list) ? list.filter((item): item is number => typeof item === 'number') : []);
  } catch {
    return new Set();
  }
}

function alertTitle(alert: LlmAlertRecord): string {
  if (alert.code === 'usage-overrun') return 'An answer cost more than was reserved';
  return `${alert.threshold ?? 100} % of ${scopeLabel(alert.kind)} used`;
}

/** The latest budget alerts of the last day, until dismissed on this device. */
export function AlertBanners({ alerts, now }: { readonly alerts: readonly LlmAlertRecord[]; readonly now: number }) {
  const [dismissed, setDismissed] = useState(loadDismissed);
  const visible = alerts.filter((alert) => alert.at > now - 86_400_000 && !dismissed.has(alert.id)).slice(0, 3);
  if (visible.length === 0) return null;
  const dismiss = (id: number) => {
    const next = new Set(dismissed).add(id);
    setDismissed(next);
    window.localStorage.setItem(DISMISSED_KEY, JSON.stringify([...next].slice(-50)));
  };
  return (
    <Stack gap="xs">
      {visible.map((alert) => {
        const severe = alert.code === 'usage-overrun' || alert.threshold === 100;
        return (
          <Alert
            key={alert.id}
            data-testid="spend-alert"
            color={severe ? 'red' : alert.threshold === 80 ? 'orange' : 'blue'}
            variant="light"
            icon={severe ? <IconAlertTriangle /> : <IconInfoCircle />}
            title={alertTitle(alert)}
            withCloseButton
            closeButtonLabel="Dismiss this alert"
            styles={READABLE_ALERT_TITLE}
            onClose={() => dismiss(alert.id)}
          >
            {alert.message}
          </Alert>
        );
      })}
    </Stack>
  );
}
