/**
 * The portfolio: the member's balance, positions at current value with unrealized profit and
 * loss, resolved markets with realized profit and loss, and the balance history from the ledger
 * (the inbox keeps the member's balance after each ledger entry).
 */
import { Anchor, Badge, Card, EmptyState, Group, Loader, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { IconChartLine } from '@tabler/icons-react';
import { lazy, Suspense, useMemo } from 'react';
import { Link } from 'react-router';
import type { MarketSummary } from '../../../../shared/sync/layouts/markets.ts';
import { LoadingBlock } from './components.tsx';
import { effectiveBalance, useMarketSummaries, useMarketsMe, useStartingGrant } from './data/markets-data.ts';
import type { MarketsContext } from './MarketsPage.tsx';
import { formatPoints, formatProbability, formatShares, formatSignedPoints, resolutionLabel } from './model/format.ts';
import { portfolioRows, portfolioTotals } from './model/portfolio.ts';

const BalanceChart = lazy(async () => ({ default: (await import('./ProbabilityChart.tsx')).BalanceChart }));

function Stat({ label, value, testId, tone }: { readonly label: string; readonly value: string; readonly testId: string; readonly tone?: number }) {
  return (
    <Card withBorder padding="sm">
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="lg" fw={700} c={tone === undefined || tone === 0 ? undefined : tone < 0 ? 'red.9' : 'teal.9'} style={{ fontVariantNumeric: 'tabular-nums' }} data-testid={testId}>
        {value}
      </Text>
    </Card>
  );
}

export function PortfolioPage({ context }: { readonly context: MarketsContext }) {
  const { locale } = context;
  const me = useMarketsMe();
  const grant = useStartingGrant();
  const summaries = useMarketSummaries();
  const byId = useMemo(() => new Map<string, MarketSummary>((summaries ?? []).map((summary) => [summary.id, summary])), [summaries]);
  const rows = useMemo(() => portfolioRows(me?.positions ?? [], byId), [me, byId]);
  const totals = portfolioTotals(rows);
  if (me === undefined) return <LoadingBlock label="Loading your portfolio…" />;
  const balance = effectiveBalance(me, grant);
  if (!me?.opened) {
    return (
      <EmptyState icon={<IconChartLine size={32} />} title="No trades yet" description={`Your markets account opens with your first trade or market${balance === null ? '' : `, with ${formatPoints(balance, locale)} to start`}.`}>
        <EmptyState.Actions>
          <Anchor component={Link} to="/markets">
            Browse the markets
          </Anchor>
        </EmptyState.Actions>
      </EmptyState>
    );
  }
  const open = rows.filter((row) => !row.resolved);
  const resolved = rows.filter((row) => row.resolved);
  return (
    <Stack gap="md">
      <SimpleGrid cols={{ base: 2, md: 5 }}>
        <Stat label="Balance" value={formatPoints(me.balance, locale)} testId="portfolio-balance" />
        <Stat label="Open positions at current value" value={formatPoints(totals.value, locale)} testId="portfolio-value" />
        <Stat label="Unrealized profit / loss" value={formatSignedPoints(totals.unrealized, locale)} testId="portfolio-unrealized" tone={totals.unrealized} />
        <Stat label="Realized profit / loss" value={formatSignedPoints(me.profit, locale)} testId="portfolio-realized" tone={me.profit} />
        <Stat label="Subsidies in your open markets" value={formatPoints(me.lockedSubsidy, locale)} testId="portfolio-locked" />
      </SimpleGrid>
      {totals.unpriced > 0 && (
        <Text size="xs" c="dimmed">
          {totals.unpriced === 1 ? 'One market is' : `${totals.unpriced} markets are`} not priced on this device yet and left out of the value.
        </Text>
      )}
      <Card withBorder padding="md" component="section" aria-labelledby="open-title">
        <Stack gap="xs">
          <Title order={3} size="h4" id="open-title">
            Open positions
          </Title>
          {open.length === 0 ? (
            <Text size="sm" c="dimmed">
              No open positions.
            </Text>
          ) : (
            <Table.ScrollContainer minWidth={600}>
              <Table verticalSpacing={4} data-testid="open-positions">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Market</Table.Th>
                    <Table.Th>Holding</Table.Th>
                    <Table.Th ta="right">Net cost</Table.Th>
                    <Table.Th ta="right">Value</Table.Th>
                    <Table.Th ta="right">Profit / loss</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {open.map((row) => (
                    <Table.Tr key={row.marketId} data-testid="position-row">
                      <Table.Td>
                        <Anchor component={Link} to={`/markets/m/${encodeURIComponent(row.marketId)}`} size="sm">
                          {row.question}
                        </Anchor>
                      </Table.Td>
                      <Table.Td>
                        {row.holdings.map((holding) => (
                          <Text key={holding.outcome} size="sm">
                            {formatShares(holding.shares, locale)} {holding.label}
                            {holding.probability !== null ? ` at ${formatProbability(holding.probability, locale)}` : ''}
                          </Text>
                        ))}
                        {row.status === 'closed' && <Badge size="xs" variant="light" color="orange">Closed</Badge>}
                      </Table.Td>
                      <Table.Td ta="right">{formatPoints(row.netCost, locale)}</Table.Td>
                      <Table.Td ta="right">{row.value === null ? '—' : formatPoints(row.value, locale)}</Table.Td>
                      <Table.Td ta="right">{row.unrealized === null ? '—' : formatSignedPoints(row.unrealized, locale)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </Stack>
      </Card>
      {resolved.length > 0 && (
        <Card withBorder padding="md" component="section" aria-labelledby="resolved-title">
          <Stack gap="xs">
            <Title order={3} size="h4" id="resolved-title">
              Resolved
            </Title>
            <Table.ScrollContainer minWidth={600}>
              <Table verticalSpacing={4} data-testid="resolved-positions">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Market</Table.Th>
                    <Table.Th>Resolution</Table.Th>
                    <Table.Th ta="right">Paid out</Table.Th>
                    <Table.Th ta="right">Profit / loss</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {resolved.map((row) => {
                    const position = me.positions.find((p) => p.marketId === row.marketId);
                    return (
                      <Table.Tr key={row.marketId} data-testid="position-row">
                        <Table.Td>
                          <Anchor component={Link} to={`/markets/m/${encodeURIComponent(row.marketId)}`} size="sm">
                            {row.question}
                          </Anchor>
                        </Table.Td>
                        <Table.Td>{position?.resolution ? resolutionLabel(position.resolution, position.outcomes, locale) : '—'}</Table.Td>
                        <Table.Td ta="right">{formatPoints(row.payout, locale)}</Table.Td>
                        <Table.Td ta="right">{formatSignedPoints(row.realized, locale)}</Table.Td>
                      </Table.Tr>
                    );
                  })}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </Stack>
        </Card>
      )}
      <Card withBorder padding="md" component="section" aria-labelledby="balance-title">
        <Stack gap="xs">
          <Group justify="space-between">
            <Title order={3} size="h4" id="balance-title">
              Balance history
            </Title>
            <Text size="xs" c="dimmed">
              Granted {formatPoints(me.granted, locale)}
            </Text>
          </Group>
          <Suspense fallback={<Loader size="sm" aria-label="Loading the chart" />}>
            <BalanceChart points={me.balanceHistory} locale={locale} />
          </Suspense>
        </Stack>
      </Card>
    </Stack>
  );
}
