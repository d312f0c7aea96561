/**
 * One market: its question and status, the probability chart, the order ticket, the member's
 * position with profit and loss, their orders (pending with the predicted fill, then decided),
 * the trade history, and resolving for the creator or an admin. The market's room stays open
 * while the page shows; a market being created (its intent still pending) shows as such.
 */
import { Alert, Anchor, Badge, Button, Card, Grid, Group, Loader, Stack, Table, Text, Title } from '@mantine/core';
import { IconCheck, IconGavel, IconX } from '@tabler/icons-react';
import { lazy, Suspense, useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import { creditFromUnits, type Market, marketProbabilities, restoreMarket } from '../../../../shared/domain/markets/index.ts';
import { minor } from '../../../../shared/domain/money.ts';
import { CreateMarketPayloadSchema, MARKET_INTENTS, type TradeRecord } from '../../../../shared/sync/layouts/markets.ts';
import { roomNames } from '../../../../shared/sync/rooms.ts';
import type { IntentRecord } from '../../engine/collections.ts';
import { type MarketDetail, positionIn } from '../../engine/projections/markets.ts';
import { useRooms } from '../../app/useRooms.ts';
import { useNow } from '../chat/useNow.ts';
import { useRoomState } from '../shop/data/shop-data.ts';
import { LoadingBlock, MarketStatusBadge, OutcomeBars, PendingBadge } from './components.tsx';
import { effectiveBalance, type MarketsIdentity, useMarketDetail, useMarketIntents, useMarketsMe, useMarketTrades, useStartingGrant } from './data/markets-data.ts';
import type { MarketsContext } from './MarketsPage.tsx';
import { closeLabel, formatDateTime, formatPoints, formatPrice, formatProbability, formatShares, formatSignedPoints, refusalText, resolutionLabel } from './model/format.ts';
import { intentView, pendingCommitments, pendingTradesIn, resolveTargetOf, tradeIntentOf, tradeResultOf, type TradeIntent } from './model/intents.ts';
import { stateAfterPending, type TradePrediction, type TradingState } from './model/ticket.ts';
import { OrderTicket } from './OrderTicket.tsx';
import { ResolveDialog } from './ResolveDialog.tsx';

const ProbabilityChart = lazy(() => import('./ProbabilityChart.tsx'));

/** Decided orders stay listed this long under "Your orders" (pending ones until decided). */
const RECENT_ORDERS_MS = 60 * 60_000;

function PendingCreate({ record, locale }: { readonly record: IntentRecord; readonly locale: string }) {
  const payload = CreateMarketPayloadSchema.safeParse(record.payload);
  const view = intentView(record);
  return (
    <Stack gap="md">
      <Title order={3}>{payload.success ? payload.data.question : 'New market'}</Title>
      {view.status === 'refused' ? (
        <Alert color="red" variant="light" icon={<IconX size={18} />} title="The market was not created" role="alert" data-testid="create-status" data-status="refused">
          {refusalText(view.code, view.message)} Nothing was charged. <Anchor component={Link} to="/markets/new">Try again</Anchor>
        </Alert>
      ) : (
        <Card withBorder padding="md" data-testid="create-status" data-status="pending">
          <Stack gap="xs">
            <PendingBadge label="Waiting for the server to open this market" />
            <Text size="sm">{payload.success ? `The subsidy of ${formatPoints(payload.data.subsidy, locale)} moves from your balance when it opens.` : 'It opens once the server confirms it.'}</Text>
          </Stack>
        </Card>
      )}
    </Stack>
  );
}

function describePrediction(prediction: TradePrediction | null | undefined, outcomes: readonly string[], locale: string): string {
  if (!prediction) return 'Waiting for the market.';
  if (prediction.kind === 'refused') return `Expected to be refused: ${refusalText(prediction.code, prediction.message)}`;
  const label = outcomes[prediction.outcome] ?? '';
  return prediction.side === 'buy'
    ? `Expected: ${formatShares(prediction.shares, locale)} ${label} shares for ${formatPoints(prediction.cash, locale)} (average ${formatPrice(prediction.averagePrice, locale)})`
    : `Expected: ${formatShares(prediction.shares, locale)} ${label} shares sold for ${formatPoints(prediction.cash, locale)}`;
}

function MyOrders({ orders, predictions, outcomes, locale }: { readonly orders: readonly TradeIntent[]; readonly predictions: ReadonlyMap<string, TradePrediction>; readonly outcomes: readonly string[]; readonly locale: string }) {
  if (orders.length === 0) return null;
  return (
    <Card withBorder padding="md" component="section" aria-labelledby="orders-title">
      <Stack gap="xs">
        <Title order={3} size="h4" id="orders-title">
          Your orders
        </Title>
        <Stack gap="xs" role="list" aria-label="Your orders">
          {orders.map((order) => {
            const result = tradeResultOf(order.view);
            const label = outcomes[order.command.outcome] ?? '';
            return (
              <Stack key={order.id} gap={2} role="listitem" data-testid="my-order" data-status={order.view.status} aria-live="polite">
                {order.view.status === 'pending' && (
                  <>
                    <PendingBadge label="Pending" />
                    <Text size="sm" data-testid="order-prediction">
                      {describePrediction(predictions.get(order.id) ?? order.prediction, outcomes, locale)}
                    </Text>
                  </>
                )}
                {order.view.status === 'accepted' && (
                  <Group gap="xs" wrap="nowrap" align="flex-start">
                    <IconCheck size={16} color="var(--mantine-color-teal-7)" aria-hidden />
                    <Text size="sm" data-testid="order-result">
                      {result
                        ? result.side === 'buy'
                          ? `Bought ${formatShares(result.shares, locale)} ${label} shares for ${formatPoints(result.cash, locale)}`
                          : `Sold ${formatShares(result.shares, locale)} ${label} shares for ${formatPoints(result.cash, locale)}`
                        : 'Accepted'}
                    </Text>
                  </Group>
                )}
                {order.view.status === 'refused' && (
                  <Group gap="xs" wrap="nowrap" align="flex-start">
                    <IconX size={16} color="var(--mantine-color-red-8)" aria-hidden />
                    <Text size="sm" c="red.9" data-testid="order-result">
                      Refused: {refusalText(order.view.code, order.view.message)}
                    </Text>
                  </Group>
                )}
              </Stack>
            );
          })}
        </Stack>
      </Stack>
    </Card>
  );
}

function MyPosition({ market, detail, identity, locale }: { readonly market: Market; readonly detail: MarketDetail; readonly identity: MarketsIdentity; readonly locale: string }) {
  const position = positionIn(detail, identity.user);
  const probabilities = detail.probabilities;
  const held = position.shares.map((shares, outcome) => ({ shares, outcome })).filter((entry) => entry.shares > 1e-9);
  const netCost = position.spent - position.received;
  const settlement = market.settlement;
  if (held.length === 0 && position.spent === 0 && position.received === 0) {
    return (
      <Card withBorder padding="md" component="section" aria-labelledby="position-title" data-testid="my-position" data-empty="true">
        <Title order={3} size="h4" id="position-title">
          Your position
        </Title>
        <Text size="sm" c="dimmed" mt="xs">
          You hold no shares in this market.
        </Text>
      </Card>
    );
  }
  const value = settlement ? 0 : creditFromUnits(held.reduce((sum, entry) => sum + entry.shares * (probabilities[entry.outcome] ?? 0), 0));
  const paid = settlement ? (settlement.paid[identity.user] ?? 0) : 0;
  const pnl = settlement ? paid - netCost : value - netCost;
  return (
    <Card withBorder padding="md" component="section" aria-labelledby="position-title" data-testid="my-position">
      <Stack gap={6}>
        <Title order={3} size="h4" id="position-title">
          Your position
        </Title>
        {held.map((entry) => (
          <Group key={entry.outcome} justify="space-between" gap="xs">
            <Text size="sm">{market.outcomes[entry.outcome]}</Text>
            <Text size="sm" fw={600} style={{ fontVariantNumeric: 'tabular-nums' }}>
              {formatShares(entry.shares, locale)} shares
            </Text>
          </Group>
        ))}
        <Group justify="space-between" gap="xs">
          <Text size="sm" c="dimmed">
            Net cost
          </Text>
          <Text size="sm" style={{ fontVariantNumeric: 'tabular-nums' }}>
            {formatPoints(netCost, locale)}
          </Text>
        </Group>
        {settlement ? (
          <Group justify="space-between" gap="xs">
            <Text size="sm" c="dimmed">
              Paid out
            </Text>
            <Text size="sm" style={{ fontVariantNumeric: 'tabular-nums' }} data-testid="position-payout">
              {formatPoints(paid, locale)}
            </Text>
          </Group>
        ) : (
          <Group justify="space-between" gap="xs">
            <Text size="sm" c="dimmed">
              Value at current prices
            </Text>
            <Text size="sm" style={{ fontVariantNumeric: 'tabular-nums' }} data-testid="position-value">
              {formatPoints(value, locale)}
            </Text>
          </Group>
        )}
        <Group justify="space-between" gap="xs">
          <Text size="sm" c="dimmed">
            {settlement ? 'Profit / loss (realized)' : 'Profit / loss (unrealized)'}
          </Text>
          <Text size="sm" fw={700} c={pnl < 0 ? 'red.9' : pnl > 0 ? 'teal.9' : undefined} style={{ fontVariantNumeric: 'tabular-nums' }} data-testid="position-pnl">
            {formatSignedPoints(pnl, locale)}
          </Text>
        </Group>
      </Stack>
    </Card>
  );
}

function monthsBetween(from: number, to: number): string[] {
  const months: string[] = [];
  const start = new Date(from);
  let year = start.getUTCFullYear();
  let month = start.getUTCMonth();
  const end = new Date(to);
  while ((year < end.getUTCFullYear() || (year === end.getUTCFullYear() && month <= end.getUTCMonth())) && months.length < 36) {
    months.push(`${year}-${String(month + 1).padStart(2, '0')}`);
    month++;
    if (month === 12) {
      month = 0;
      year++;
    }
  }
  return months;
}

/** Older trades live in month rooms; opened only when asked for. */
function OlderTrades({ tenant, market, now }: { readonly tenant: string; readonly market: Market; readonly now: number }) {
  const rooms = useRooms(monthsBetween(market.createdAt, now).map((month) => roomNames.marketTrades(tenant, market.id, month)));
  if (rooms.error) return <Text size="sm" c="red.9">Older trades could not be opened: {rooms.error}</Text>;
  return rooms.ready ? null : <LoadingBlock label="Loading older trades…" />;
}

function TradeHistory({ trades, market, tenant, locale, now }: { readonly trades: readonly TradeRecord[]; readonly market: Market; readonly tenant: string; readonly locale: string; readonly now: number }) {
  const [older, setOlder] = useState(false);
  return (
    <Card withBorder padding="md" component="section" aria-labelledby="trades-title">
      <Stack gap="xs">
        <Group justify="space-between">
          <Title order={3} size="h4" id="trades-title">
            Trades
          </Title>
          <Text size="sm" c="dimmed">
            {market.tradeCount} in total · volume {formatPoints(market.volume, locale)}
          </Text>
        </Group>
        {trades.length === 0 ? (
          <Text size="sm" c="dimmed">
            No trades yet. The first trade moves the price from its opening odds.
          </Text>
        ) : (
          <Table.ScrollContainer minWidth={520}>
            <Table striped verticalSpacing={4} data-testid="trade-history">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>When</Table.Th>
                  <Table.Th>Who</Table.Th>
                  <Table.Th>Trade</Table.Th>
                  <Table.Th ta="right">Shares</Table.Th>
                  <Table.Th ta="right">Amount</Table.Th>
                  <Table.Th ta="right">Probability after</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {trades.map((trade) => (
                  <Table.Tr key={trade.seq} data-testid="trade-row">
                    <Table.Td>{formatDateTime(trade.at, locale)}</Table.Td>
                    <Table.Td>{trade.userName}</Table.Td>
                    <Table.Td>
                      {trade.side === 'buy' ? 'Bought' : 'Sold'} {market.outcomes[trade.outcome]}
                    </Table.Td>
                    <Table.Td ta="right">{formatShares(trade.shares, locale)}</Table.Td>
                    <Table.Td ta="right">{formatPoints(trade.cash, locale)}</Table.Td>
                    <Table.Td ta="right">{formatProbability(trade.probabilities[trade.outcome] ?? 0, locale)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        {trades.length < market.tradeCount &&
          (older ? (
            <OlderTrades tenant={tenant} market={market} now={now} />
          ) : (
            <Button variant="subtle" size="xs" onClick={() => setOlder(true)}>
              Show {market.tradeCount - trades.length} older trades
            </Button>
          ))}
      </Stack>
    </Card>
  );
}

function ResolutionBanner({ market, detail, locale, now }: { readonly market: Market; readonly detail: MarketDetail; readonly locale: string; readonly now: number }) {
  const settlement = market.settlement;
  if (!settlement) return null;
  return (
    <Alert color="gray" variant="light" icon={<IconGavel size={18} />} title={`Resolved: ${resolutionLabel(settlement.resolution, market.outcomes, locale)}`} data-testid="resolution-banner">
      Resolved {formatDateTime(settlement.resolvedAt, locale)}
      {settlement.revision > 1 ? ` (corrected ${settlement.revision - 1} ${settlement.revision === 2 ? 'time' : 'times'})` : ''}.
      {detail.correctableUntil !== null && now <= detail.correctableUntil ? ` It can be corrected until ${formatDateTime(detail.correctableUntil, locale)}.` : ''}
    </Alert>
  );
}

function MarketView({ detail, context, intents }: { readonly detail: MarketDetail; readonly context: MarketsContext; readonly intents: readonly IntentRecord[] }) {
  const { identity, locale } = context;
  const now = useNow(5_000);
  const me = useMarketsMe();
  const grant = useStartingGrant();
  const trades = useMarketTrades(detail.market.id);
  const [resolving, setResolving] = useState(false);
  const restored = useMemo(() => restoreMarket(detail.market), [detail.market]);
  if (!restored.ok) {
    return (
      <Alert color="red" variant="light" title="This market cannot be shown" role="alert">
        Its stored state does not pass the market rules ({restored.error.message}). Update the app; if this stays, tell an admin.
      </Alert>
    );
  }
  const market = restored.value;
  const status = market.settlement ? 'resolved' : now >= market.closeAt ? 'closed' : 'open';
  const known = effectiveBalance(me, grant);
  const base: TradingState = { market, position: positionIn(detail, identity.user), balance: minor(Math.max(-Number.MAX_SAFE_INTEGER, (known ?? 0) - pendingCommitments(intents, market.id))) };
  const pending = pendingTradesIn(intents, market.id);
  const { state, predictions } = stateAfterPending(base, { userId: identity.user, role: identity.role }, pending, now);
  const orders = intents
    .map(tradeIntentOf)
    .filter((order): order is TradeIntent => order !== null && order.marketId === market.id && (order.view.status === 'pending' || now - order.createdAt < RECENT_ORDERS_MS));
  const canResolve = identity.isAdmin || (identity.role !== null && identity.user === market.creatorId);
  const correctable = market.settlement !== null && detail.correctableUntil !== null && now <= detail.correctableUntil;
  const resolveIntent = intents.find((record) => resolveTargetOf(record) === market.id);
  const resolveView = resolveIntent ? intentView(resolveIntent) : null;
  const probabilities = marketProbabilities(market);

  return (
    <Stack gap="md">
      <Stack gap={4}>
        <Title order={3} data-testid="market-question">
          {market.question}
        </Title>
        <Group gap="sm" wrap="wrap">
          <MarketStatusBadge status={status} />
          <Text size="sm" c="dimmed">
            Created by {detail.creatorName} · {closeLabel(market.closeAt, now, locale)} ({formatDateTime(market.closeAt, locale)}) · subsidy {formatPoints(market.subsidy, locale)}
          </Text>
        </Group>
      </Stack>
      <ResolutionBanner market={market} detail={detail} locale={locale} now={now} />
      {resolveView?.status === 'pending' && <PendingBadge label="Resolution sent, waiting for the server" />}
      {resolveView?.status === 'refused' && resolveIntent && now - resolveIntent.createdAt < RECENT_ORDERS_MS && (
        <Alert color="red" variant="light" title="The resolution was refused" role="alert">
          {refusalText(resolveView.code, resolveView.message)}
        </Alert>
      )}
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, md: 8 }}>
          <Stack gap="md">
            <Card withBorder padding="md" component="section" aria-labelledby="chart-title">
              <Stack gap="sm">
                <Group justify="space-between">
                  <Title order={3} size="h4" id="chart-title">
                    Probability
                  </Title>
                  {canResolve && (status !== 'resolved' || correctable) && (
                    <Button size="xs" variant="light" leftSection={<IconGavel size={14} />} onClick={() => setResolving(true)} disabled={resolveView?.status === 'pending'}>
                      {status === 'resolved' ? 'Correct resolution' : 'Resolve market'}
                    </Button>
                  )}
                </Group>
                <OutcomeBars outcomes={market.outcomes} probabilities={probabilities} locale={locale} highlight={market.settlement?.resolution.kind === 'outcome' ? market.settlement.resolution.outcome : null} />
                <Suspense fallback={<Loader size="sm" aria-label="Loading the chart" />}>
                  <ProbabilityChart history={detail.history} outcomes={market.outcomes} current={probabilities} locale={locale} />
                </Suspense>
              </Stack>
            </Card>
            {trades === undefined ? <LoadingBlock label="Loading trades…" /> : <TradeHistory trades={trades} market={market} tenant={identity.tenant} locale={locale} now={now} />}
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Stack gap="md">
            {status === 'open' ? (
              <OrderTicket market={market} state={state} identity={identity} now={now} locale={locale} pendingCount={pending.length} balanceKnown={known !== null || me === undefined || grant === undefined} />
            ) : (
              <Card withBorder padding="md">
                <Text size="sm">{status === 'closed' ? 'Trading has stopped; the market waits for its creator to resolve it.' : 'This market is resolved; winning shares were paid one point each.'}</Text>
              </Card>
            )}
            <MyOrders orders={orders} predictions={predictions} outcomes={market.outcomes} locale={locale} />
            <MyPosition market={market} detail={detail} identity={identity} locale={locale} />
            {me?.blocked && (
              <Badge color="red" variant="light">
                Balance below zero: buying is blocked
              </Badge>
            )}
          </Stack>
        </Grid.Col>
      </Grid>
      {canResolve && <ResolveDialog key={String(resolving)} opened={resolving} onClose={() => setResolving(false)} market={market} detail={detail} identity={identity} locale={locale} now={now} />}
    </Stack>
  );
}

export function MarketPage({ context }: { readonly context: MarketsContext }) {
  const { marketId = '' } = useParams();
  const { identity, locale } = context;
  const room = roomNames.market(identity.tenant, marketId);
  const rooms = useRooms([room]);
  const roomState = useRoomState(room);
  const detail = useMarketDetail(marketId);
  const intents = useMarketIntents();
  const back = (
    <Anchor component={Link} to="/markets" size="sm">
      ← All markets
    </Anchor>
  );
  if (detail && intents) {
    return (
      <Stack gap="sm">
        {back}
        <MarketView detail={detail} context={context} intents={intents} />
      </Stack>
    );
  }
  const creating = intents?.find((record) => record.id === marketId && record.kind === MARKET_INTENTS.create);
  let body;
  if (creating && (creating.status !== 'accepted' || detail === null)) body = creating.status === 'accepted' ? <LoadingBlock label="Opening the market…" /> : <PendingCreate record={creating} locale={locale} />;
  else if (rooms.error) body = <Alert color="red" variant="light" role="alert" title="This market could not be opened">{rooms.error}</Alert>;
  else if (detail === null && (roomState === 'synced' || roomState === 'forbidden')) {
    body = (
      <Alert color="gray" variant="light" title="Market not found">
        There is no market here, or it has not reached this device yet. <Anchor component={Link} to="/markets">Back to the markets</Anchor>
      </Alert>
    );
  } else body = <LoadingBlock label={roomState === 'offline' ? 'This market is not on this device yet; connect to load it.' : 'Loading the market…'} />;
  return (
    <Stack gap="sm">
      {back}
      {body}
    </Stack>
  );
}
