/**
 * Pieces that a tenant admin's dashboard and the operator console share: the period picker, the
 * report loader, the table of switched-off scopes and the busy/error state of an admin action.
 */
import { Button, SegmentedControl, Table, VisuallyHidden } from '@mantine/core';
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { SpendReport } from '../../../../shared/api/llm.ts';
import { isoDay, lastDays } from './SpendOverview.tsx';
import { useNow } from './useNow.ts';

const PERIODS = [
  { value: '7', label: '7 days' },
  { value: '14', label: '14 days' },
  { value: '30', label: '30 days' },
];

/** The chosen period (days) and the spend query range it stands for, moving on at midnight UTC. */
export function useSpendPeriod() {
  const [days, setDays] = useState('14');
  const today = isoDay(useNow(60_000));
  const range = useMemo(() => lastDays(today, Number(days)), [days, today]);
  return { days, setDays, range };
}

export function PeriodControl({ value, onChange }: { readonly value: string; readonly onChange: (days: string) => void }) {
  return <SegmentedControl aria-label="Period" value={value} onChange={onChange} data={PERIODS} />;
}

/**
 * The spend report for `range` from `load` (null: nothing to load yet), loaded again whenever
 * `reload` is called; a stale answer never overwrites a newer request's.
 */
export function useSpendReport(load: ((from: string, to: string) => Promise<SpendReport>) | null, range: { readonly from: string; readonly to: string }, describe: (cause: unknown) => string) {
  const [report, setReport] = useState<SpendReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);

  useEffect(() => {
    if (!load) return undefined;
    let live = true;
    load(range.from, range.to).then(
      (value) => {
        if (!live) return;
        setReport(value);
        setError(null);
      },
      (cause: unknown) => live && setError(describe(cause)),
    );
    return () => {
      live = false;
    };
  }, [load, range, version, describe]);

  const reload = useCallback(() => setVersion((value) => value + 1), []);
  return { report, error, reload, clear: () => setReport(null) };
}

/** One admin action at a time: `busy` while it runs, its failure as a message in `error`. */
export function useAdminAction(describe: (cause: unknown) => string) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (cause) {
      setError(describe(cause));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, setError, run };
}

export interface SwitchedOffRow {
  readonly key: string;
  readonly label: string;
  readonly reason: string | null;
  readonly switchOn: () => void;
}

export function SwitchedOffTable({ rows, busy, testId }: { readonly rows: readonly SwitchedOffRow[]; readonly busy: boolean; readonly testId?: string }) {
  if (rows.length === 0) return null;
  return (
    <Table data-testid={testId}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Switched off</Table.Th>
          <Table.Th>Reason</Table.Th>
          <Table.Th>
            <VisuallyHidden>Action</VisuallyHidden>
          </Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((row) => (
          <Table.Tr key={row.key}>
            <Table.Td>{row.label}</Table.Td>
            <Table.Td>{row.reason ?? '—'}</Table.Td>
            <Table.Td>
              <Button size="xs" variant="default" disabled={busy} onClick={row.switchOn}>
                Switch back on
              </Button>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
