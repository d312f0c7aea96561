/**
 * The market list: open, closing soon, or closed & resolved; searched by question, option and
 * creator; sorted by volume, close time or newest. Each row shows the question, the leading
 * outcome with its probability, the volume and when trading stops.
 */
import { Anchor, Badge, Button, Card, EmptyState, Group, NativeSelect, SegmentedControl, Stack, Text, TextInput } from '@mantine/core';
import { IconPlus, IconSearch, IconTrendingUp } from '@tabler/icons-react';
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { useNow } from '../chat/useNow.ts';
import { LoadingBlock, MarketStatusBadge } from './components.tsx';
import { useMarketSummaries } from './data/markets-data.ts';
import type { MarketsContext } from './MarketsPage.tsx';
import { closeLabel, formatPoints, formatProbability, leadingOutcome, resolutionLabel } from './model/format.ts';
import { LIST_SORT_LABELS, LIST_SORTS, LIST_TAB_LABELS, LIST_TABS, listMarkets, type ListSort, type ListTab, statusAt, tabCounts } from './model/list.ts';
import type { MarketSummary } from '../../../../shared/sync/layouts/markets.ts';

function MarketRow({ summary, now, locale }: { readonly summary: MarketSummary; readonly now: number; readonly locale: string }) {
  const leader = leadingOutcome(summary.outcomes, summary.probabilities);
  const status = statusAt(summary, now);
  return (
    <Card withBorder padding="sm" role="listitem" data-testid="market-row" data-market-id={summary.id}>
      <Group justify="space-between" align="flex-start" wrap="nowrap" gap="md">
        <Stack gap={4} style={{ minWidth: 0, flex: 1 }}>
          <Anchor component={Link} to={`/markets/m/${encodeURIComponent(summary.id)}`} fw={600} lineClamp={2}>
            {summary.question}
          </Anchor>
          <Group gap="xs" wrap="wrap">
            <MarketStatusBadge status={status} />
            <Text size="xs" c="dimmed">
              {summary.kind === 'binary' ? 'Yes / no' : `${summary.outcomes.length} options`} · by {summary.creatorName}
            </Text>
          </Group>
        </Stack>
        <Stack gap={2} align="flex-end" style={{ flex: 'none' }}>
          {summary.resolution ? (
            <Badge variant="light" color="gray" data-testid="market-resolution">
              {resolutionLabel(summary.resolution, summary.outcomes, locale)}
            </Badge>
          ) : (
            leader && (
              <Text fw={700} size="lg" style={{ fontVariantNumeric: 'tabular-nums' }} data-testid="market-leader">
                <Text span size="sm" fw={500}>
                  {leader.label}{' '}
                </Text>
                {formatProbability(leader.probability, locale)}
              </Text>
            )
          )}
          <Text size="xs" c="dimmed" style={{ fontVariantNumeric: 'tabular-nums' }}>
            Volume {formatPoints(summary.volume, locale)} · {closeLabel(summary.closeAt, now, locale)}
          </Text>
        </Stack>
      </Group>
    </Card>
  );
}

export function MarketListPage({ context }: { readonly context: MarketsContext }) {
  const summaries = useMarketSummaries();
  const now = useNow(30_000);
  const [tab, setTab] = useState<ListTab>('open');
  const [search, setSearch] = useState('');
  const [sort, setSort] = useState<ListSort>('volume');
  const { locale } = context;
  const counts = useMemo(() => tabCounts(summaries ?? [], now), [summaries, now]);
  const rows = useMemo(() => listMarkets(summaries ?? [], { tab, search, sort }, now), [summaries, tab, search, sort, now]);

  if (summaries === undefined) return <LoadingBlock label="Loading the markets…" />;
  if (summaries.length === 0) {
    return (
      <EmptyState icon={<IconTrendingUp size={32} />} title="No markets yet" description="Ask your community a question with an uncertain answer — “Will v2 ship by March?” — and let the prices tell you what people expect.">
        <EmptyState.Actions>
          <Button component={Link} to="/markets/new" leftSection={<IconPlus size={16} />}>
            Create the first market
          </Button>
        </EmptyState.Actions>
      </EmptyState>
    );
  }
  return (
    <Stack gap="md">
      <Group gap="sm" wrap="wrap" align="flex-end">
        <SegmentedControl
          aria-label="Which markets"
          value={tab}
          onChange={(value) => setTab(value as ListTab)}
          data={LIST_TABS.map((value) => ({ value, label: `${LIST_TAB_LABELS[value]} (${counts[value]})` }))}
        />
        <TextInput
          type="search"
          aria-label="Search markets"
          placeholder="Search questions and options"
          leftSection={<IconSearch size={16} />}
          value={search}
          onChange={(event) => setSearch(event.currentTarget.value)}
          style={{ flex: 1, minWidth: 200 }}
        />
        <NativeSelect label="Sort by" value={sort} onChange={(event) => setSort(event.currentTarget.value as ListSort)} data={LIST_SORTS.map((value) => ({ value, label: LIST_SORT_LABELS[value] }))} />
      </Group>
      <Text size="sm" c="dimmed" data-testid="market-count" aria-live="polite">
        {rows.length === 1 ? '1 market' : `${rows.length} markets`}
      </Text>
      {rows.length === 0 ? (
        <Text c="dimmed">{search.trim() ? 'No market matches your search here. Try other words or another tab.' : tab === 'resolved' ? 'No market has closed yet.' : tab === 'closing' ? 'No market closes within a day.' : 'No market is open right now.'}</Text>
      ) : (
        <Stack gap="xs" role="list" aria-label="Markets">
          {rows.map((summary) => (
            <MarketRow key={summary.id} summary={summary} now={now} locale={locale} />
          ))}
        </Stack>
      )}
    </Stack>
  );
}
