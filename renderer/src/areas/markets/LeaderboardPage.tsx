/**
 * The community's leaderboard (the `standings/markets` room): members ranked by realized profit
 * (balance − granted + open positions at cost + subsidies of their open markets), which only
 * resolutions change. Ties share a rank. The signed-in member's row is marked.
 */
import { Badge, Card, EmptyState, Stack, Table, Text, Title } from '@mantine/core';
import { IconTrophy } from '@tabler/icons-react';
import { LoadingBlock } from './components.tsx';
import { useStandings } from './data/markets-data.ts';
import type { MarketsContext } from './MarketsPage.tsx';
import { formatSignedPoints } from './model/format.ts';

export function LeaderboardPage({ context }: { readonly context: MarketsContext }) {
  const { identity, locale } = context;
  const standings = useStandings(identity.tenant);
  if (standings === undefined) return <LoadingBlock label="Loading the leaderboard…" />;
  const rows = standings?.rows ?? [];
  if (rows.length === 0) {
    return <EmptyState icon={<IconTrophy size={32} />} title="Nobody on the board yet" description="Members appear here with their first trade or market; resolved markets move them up or down." />;
  }
  return (
    <Card withBorder padding="md" component="section" aria-labelledby="leaderboard-title">
      <Stack gap="xs">
        <Title order={3} size="h4" id="leaderboard-title">
          Leaderboard
        </Title>
        <Text size="sm" c="dimmed">
          Ranked by realized profit: what resolved markets paid, minus what it cost. Open positions count at cost until their market resolves.
        </Text>
        <Table verticalSpacing={6} data-testid="leaderboard">
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={70}>Rank</Table.Th>
              <Table.Th>Member</Table.Th>
              <Table.Th ta="right">Profit</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((row) => {
              const mine = row.userId === identity.user;
              return (
                <Table.Tr key={row.userId} data-testid="leader-row" data-user={row.name} aria-current={mine ? 'true' : undefined} fw={mine ? 700 : undefined}>
                  <Table.Td>{row.rank}</Table.Td>
                  <Table.Td>
                    {row.name}{' '}
                    {mine && (
                      <Badge size="xs" variant="light">
                        You
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td ta="right" c={row.profit < 0 ? 'red.9' : row.profit > 0 ? 'teal.9' : undefined} style={{ fontVariantNumeric: 'tabular-nums' }} data-testid="leader-profit">
                    {formatSignedPoints(row.profit, locale)}
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </Stack>
    </Card>
  );
}
