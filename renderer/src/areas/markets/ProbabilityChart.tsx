/**
 * The probability chart of one market (one line per outcome, in percent, one point per stored
 * trade point) and the balance chart of the portfolio. Loaded lazily: the charts library is
 * large and only these screens need it. Each chart has a text alternative for screen readers.
 */
import '@mantine/charts/styles.css';
import { AreaChart, LineChart } from '@mantine/charts';
import { Box, Text, VisuallyHidden } from '@mantine/core';
import type { BalancePointRecord, ProbabilityPointRecord } from '../../../../shared/sync/layouts/markets.ts';
import { balanceRows, chartedOutcomes, outcomeColor, probabilityRows, seriesKey } from './model/chart.ts';
import { formatDateTime, formatPoints, formatProbability } from './model/format.ts';

function timeTick(locale: string): (value: number) => string {
  const format = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' });
  return (value) => (Number.isFinite(value) ? format.format(value) : '');
}

export function ProbabilityChart({ history, outcomes, current, locale }: { readonly history: readonly ProbabilityPointRecord[]; readonly outcomes: readonly string[]; readonly current: readonly number[]; readonly locale: string }) {
  const rows = probabilityRows(history, outcomes.length);
  const timeOf = new Map(rows.map((row) => [row.n, row.at]));
  const tick = timeTick(locale);
  const charted = chartedOutcomes(current);
  const last = history.at(-1);
  const summary = last
    ? `Probability over time, ${history.length} points. Now: ${outcomes.map((label, i) => `${label} ${formatProbability(current[i] ?? 0, locale)}`).join(', ')}.`
    : 'No trades yet.';
  return (
    <Box component="figure" m={0} aria-label="Probability over time" data-testid="probability-chart" data-points={rows.length} data-last={last ? last.p.map((p) => p.toFixed(6)).join(',') : ''}>
      <LineChart
        h={260}
        data={rows as Record<string, number>[]}
        dataKey="n"
        series={charted.map((i) => ({ name: seriesKey(i), label: outcomes[i] ?? `Option ${i + 1}`, color: outcomeColor(i) }))}
        curveType="stepAfter"
        withDots={rows.length < 40}
        yAxisProps={{ domain: [0, 100] }}
        valueFormatter={(value) => `${value.toFixed(1)}%`}
        xAxisProps={{ tickFormatter: (n: number) => tick(timeOf.get(n) ?? Number.NaN) }}
        withLegend
        tooltipAnimationDuration={0}
        lineProps={{ isAnimationActive: false }}
      />
      <Text component="figcaption" size="xs" c="dimmed">
        {summary}
      </Text>
    </Box>
  );
}

export function BalanceChart({ points, locale }: { readonly points: readonly BalancePointRecord[]; readonly locale: string }) {
  const rows = balanceRows(points);
  const timeOf = new Map(rows.map((row) => [row.n, row.at]));
  const tick = timeTick(locale);
  return (
    <Box component="figure" m={0} aria-label="Balance over time" data-testid="balance-chart" data-points={rows.length}>
      <AreaChart
        h={220}
        data={rows as unknown as Record<string, number>[]}
        dataKey="n"
        series={[{ name: 'balance', label: 'Balance', color: 'plaza.6' }]}
        curveType="stepAfter"
        withDots={rows.length < 40}
        valueFormatter={(value) => `${value.toFixed(2)} pts`}
        xAxisProps={{ tickFormatter: (n: number) => tick(timeOf.get(n) ?? Number.NaN) }}
        tooltipAnimationDuration={0}
        areaProps={{ isAnimationActive: false }}
      />
      <VisuallyHidden>
        <table>
          <caption>Balance after each change</caption>
          <tbody>
            {points.map((point) => (
              <tr key={point.n}>
                <td>{formatDateTime(point.at, locale)}</td>
                <td>{point.kind}</td>
                <td>{formatPoints(point.balance, locale)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </VisuallyHidden>
    </Box>
  );
}

export default ProbabilityChart;
