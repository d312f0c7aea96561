/**
 * A spend report as people read it: totals, a chart of spend per day, the latest alerts, tables by
 * community (operator only), by person and by model, and the budgets as they stand now. Shared by
 * a tenant admin's dashboard and the operator console; the numbers are the ledger's, the same the
 * server exports in /metrics.
 */
import '@mantine/charts/styles.css';
import { BarChart } from '@mantine/charts';
import { Alert, Badge, Card, SimpleGrid, Stack, Table, Text } from '@mantine/core';
import { useMemo, type ReactNode } from 'react';
import type { SpendReport, SpendTotals } from '../../../../shared/api/llm.ts';
import type { ScopeKind } from '../../../../shared/domain/llm/budgets.ts';
import { formatSpend } from './prompt.ts';

export const DAY_MS = 86_400_000;
export const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The last `days` days up to `today` (UTC), as a spend query range. */
export function lastDays(today: string, days: number): { from: string; to: string } {
  return { from: isoDay(Date.parse(`${today}T00:00:00Z`) - (days - 1) * DAY_MS), to: today };
}

export const BUDGET_NAMES: Readonly<Record<ScopeKind, string>> = {
  session: 'A chat session',
  'user-day': 'One person, today',
  'tenant-day': 'Whole team, today',
  'tenant-month': 'Whole team, this month',
  'global-day': 'All of Plaza, today (operator)',
};

function Stat({ label, value }: { readonly label: string; readonly value: string }) {
  return (
    <Card withBorder padding="sm">
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text fw={650} size="lg">
        {value}
      </Text>
    </Card>
  );
}

interface Column<Row> {
  readonly header: string;
  readonly cell: (row: Row) => ReactNode;
}

function SpendTable<Row extends SpendTotals>({ title, rows, columns, empty, testId, rowKey }: { readonly title: string; readonly rows: readonly Row[]; readonly columns: ReadonlyArray<Column<Row>>; readonly empty: string; readonly testId: string; readonly rowKey: (row: Row) => string }) {
  return (
    <Card withBorder padding="lg">
      <Text fw={650} mb="xs">
        {title}
      </Text>
      {rows.length === 0 ? (
        <Text size="sm" c="dimmed">
          {empty}
        </Text>
      ) : (
        <Table data-testid={testId}>
          <Table.Thead>
            <Table.Tr>
              {columns.map((column) => (
                <Table.Th key={column.header}>{column.header}</Table.Th>
              ))}
              <Table.Th>Calls</Table.Th>
              <Table.Th>Spent</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {[...rows]
              .sort((a, b) => b.chargedMicroUsd - a.chargedMicroUsd)
              .map((row) => (
                <Table.Tr key={rowKey(row)}>
                  {columns.map((column) => (
                    <Table.Td key={column.header}>{column.cell(row)}</Table.Td>
                  ))}
                  <Table.Td>{row.calls.toLocaleString()}</Table.Td>
                  <Table.Td>{formatSpend(row.chargedMicroUsd)}</Table.Td>
                </Table.Tr>
              ))}
          </Table.Tbody>
        </Table>
      )}
    </Card>
  );
}

export interface SpendOverviewProps {
  readonly report: SpendReport;
  readonly range: { readonly from: string; readonly to: string };
  /** A person's display name (ids when the names are not known, e.g. to the operator). */
  readonly nameOf: (user: string, tenant: string | null) => string;
  /** Show the spend by community (the operator's view across tenants). */
  readonly byTenant?: boolean;
}

export function SpendOverview({ report, range, nameOf, byTenant = false }: SpendOverviewProps) {
  const chart = useMemo(() => {
    const perDay = new Map(report.byDay.map((row) => [row.day, row.chargedMicroUsd]));
    const rows: Array<{ day: string; spend: number }> = [];
    for (let time = Date.parse(`${range.from}T00:00:00Z`); time <= Date.parse(`${range.to}T00:00:00Z`); time += DAY_MS) {
      const day = isoDay(time);
      rows.push({ day: day.slice(5), spend: (perDay.get(day) ?? 0) / 1_000_000 });
    }
    return rows;
  }, [report, range]);

  return (
    <Stack gap="lg">
      <SimpleGrid cols={{ base: 2, sm: 4 }}>
        <Stat label="Spent" value={formatSpend(report.total.chargedMicroUsd)} />
        <Stat label="Calls" value={report.total.calls.toLocaleString()} />
        <Stat label="Held by running calls" value={formatSpend(report.total.openReservedMicroUsd)} />
        <Stat label="Tokens in / out" value={`${report.total.promptTokens.toLocaleString()} / ${report.total.completionTokens.toLocaleString()}`} />
      </SimpleGrid>
      <Card withBorder padding="lg" data-testid="spend-chart">
        <Stack gap="xs">
          <Text fw={650}>Spend per day (UTC, dollars)</Text>
          <BarChart h={220} data={chart} dataKey="day" series={[{ name: 'spend', label: 'Spend ($)', color: 'plaza.6' }]} valueFormatter={(value) => formatSpend(Math.round(value * 1_000_000))} />
        </Stack>
      </Card>
      {report.alerts.length > 0 && (
        <Stack gap="xs" data-testid="spend-alerts">
          {report.alerts.slice(0, 5).map((alert) => (
            <Alert key={alert.id} color={alert.threshold === 100 || alert.code === 'usage-overrun' ? 'red' : alert.threshold === 80 ? 'orange' : 'blue'} variant="light">
              {alert.user ? `${nameOf(alert.user, alert.tenant)}: ` : byTenant && alert.tenant ? `${alert.tenant}: ` : ''}
              {alert.message}
            </Alert>
          ))}
        </Stack>
      )}
      {byTenant && <SpendTable title="By community" rows={report.byTenant} rowKey={(row) => row.tenant} columns={[{ header: 'Community', cell: (row) => row.tenant }]} empty="No community has used the AI assistant in this period." testId="spend-by-tenant" />}
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <SpendTable
          title="By person"
          rows={report.byUser}
          rowKey={(row) => `${row.tenant}/${row.user}`}
          columns={[{ header: 'Person', cell: (row) => (byTenant ? `${nameOf(row.user, row.tenant)} (${row.tenant})` : nameOf(row.user, row.tenant)) }]}
          empty="Nobody has used the AI assistant in this period."
          testId="spend-by-user"
        />
        <SpendTable title="By model" rows={report.byModel} rowKey={(row) => row.model} columns={[{ header: 'Model', cell: (row) => row.model }]} empty="No calls in this period." testId="spend-by-model" />
      </SimpleGrid>
      <Card withBorder padding="lg">
        <Text fw={650} mb="xs">
          Budgets now
        </Text>
        {report.budgets.length === 0 ? (
          <Text size="sm" c="dimmed">
            No budget has been used today.
          </Text>
        ) : (
          <Table data-testid="budgets-now">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Budget</Table.Th>
                <Table.Th>Spent</Table.Th>
                <Table.Th>Held</Table.Th>
                <Table.Th>Cap</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {report.budgets.map((row) => (
                <Table.Tr key={`${row.kind}:${row.tenant ?? '-'}:${row.window}`}>
                  <Table.Td>
                    {BUDGET_NAMES[row.kind]}
                    {byTenant && row.tenant ? ` (${row.tenant})` : ''} <Badge variant="light" size="xs">{row.window}</Badge>
                  </Table.Td>
                  <Table.Td>{formatSpend(row.spentMicroUsd)}</Table.Td>
                  <Table.Td>{formatSpend(row.reservedMicroUsd)}</Table.Td>
                  <Table.Td>{formatSpend(row.capMicroUsd)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Card>
    </Stack>
  );
}
