/**
 * A customer's orders: checkouts still waiting for the shop (with the predicted result), open
 * orders with their live status (the inbox room), and finished ones (history rooms by month,
 * the current month open, earlier months opened on demand).
 */
import { Alert, Button, Card, Group, Stack, Text, Title, EmptyState } from '@mantine/core';
import { IconClipboardList, IconHistory } from '@tabler/icons-react';
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { formatMoney } from '../../../../shared/domain/commerce/currency.ts';
import { SHOP_INTENTS } from '../../../../shared/sync/layouts/shop.ts';
import { roomNames } from '../../../../shared/sync/rooms.ts';
import { useRooms } from '../../app/useRooms.ts';
import { RejectionList } from './CartPage.tsx';
import { formatDateTime, LoadingBlock, PendingBadge } from './components.tsx';
import { useCatalog } from './data/catalog-store.ts';
import { checkoutRejections, type CheckoutPrediction } from './data/intents.ts';
import { isFinal, monthBefore, monthLabel } from './data/orders.ts';
import { useLocale, useOrders, useShopIntents } from './data/shop-data.ts';
import { OrderCard } from './OrderCard.tsx';
import { useShopContext } from './ShopLayout.tsx';

const REFUSED_WINDOW_MS = 7 * 24 * 3600_000;

export function MyOrdersPage() {
  const { identity } = useShopContext();
  const locale = useLocale();
  const orders = useOrders('customer');
  const intents = useShopIntents();
  const snapshot = useCatalog();
  const [now] = useState(() => Date.now());
  const [monthsBack, setMonthsBack] = useState(0);
  const months = useMemo(() => Array.from({ length: monthsBack + 1 }, (_unused, offset) => monthBefore(now, offset)), [monthsBack, now]);
  const history = useRooms(months.map((month) => roomNames.history(identity.tenant, identity.user, month)));

  if (identity.isGuest) {
    return (
      <EmptyState icon={<IconClipboardList size={32} />} title="Orders need an account" description="Fill your cart as a guest; when you check out you create an account and keep it.">
        <EmptyState.Actions>
          <Button component={Link} to="/shop/cart">
            Go to the cart
          </Button>
        </EmptyState.Actions>
      </EmptyState>
    );
  }
  if (!orders || !intents) return <LoadingBlock label="Loading your orders…" />;

  const checkouts = intents.filter((record) => record.kind === SHOP_INTENTS.checkout);
  const waiting = checkouts.filter((record) => record.status === 'pending');
  const refused = checkouts.filter((record) => record.status !== 'pending' && record.status !== 'accepted' && now - record.decidedAt < REFUSED_WINDOW_MS);
  const open = orders.filter((order) => !isFinal(order));
  const done = orders.filter((order) => isFinal(order));
  const catalog = snapshot?.catalog ?? new Map();
  const earliest = months.at(-1)!;

  return (
    <Stack gap="lg">
      <Title order={3}>My orders</Title>
      {history.error && (
        <Alert color="red" variant="light" role="alert">
          Past orders could not be opened: {history.error}
        </Alert>
      )}
      {waiting.length > 0 && (
        <Stack gap="sm">
          <Title order={4}>Waiting for the shop</Title>
          {waiting.map((record) => {
            const prediction = record.prediction as CheckoutPrediction | null;
            return (
              <Card key={record.id} withBorder padding="md" data-testid="pending-checkout">
                <Group justify="space-between" wrap="wrap">
                  <PendingBadge label="Sent, waiting for the shop" />
                  <Text size="sm" c="dimmed">
                    {formatDateTime(record.createdAt, locale)}
                  </Text>
                </Group>
                <Text size="sm" mt="xs">
                  {prediction?.kind === 'accepted'
                    ? `Expected: accepted, ${formatMoney(prediction.total, prediction.currency, locale)}.`
                    : prediction?.kind === 'rejected'
                      ? 'Expected: refused (see your cart for why).'
                      : 'Waiting for the decision.'}
                </Text>
              </Card>
            );
          })}
        </Stack>
      )}
      {refused.length > 0 && (
        <Stack gap="sm">
          <Title order={4}>Refused recently</Title>
          {refused.map((record) => (
            <Alert key={record.id} color="red" variant="light" title={`Checkout of ${formatDateTime(record.createdAt, locale)} was refused`}>
              <RejectionList reasons={checkoutRejections(record)} catalog={catalog} />
            </Alert>
          ))}
        </Stack>
      )}
      <Stack gap="sm">
        <Title order={4}>Open orders</Title>
        {open.length === 0 ? (
          <Text c="dimmed">{waiting.length > 0 ? 'Your order appears here once the shop accepts it.' : 'No open orders.'}</Text>
        ) : (
          open.map((order) => <OrderCard key={order.id} order={order} locale={locale} />)
        )}
      </Stack>
      <Stack gap="sm">
        <Title order={4}>Past orders</Title>
        {done.length === 0 ? <Text c="dimmed">Fulfilled and cancelled orders since {monthLabel(earliest, locale)} appear here.</Text> : done.map((order) => <OrderCard key={order.id} order={order} locale={locale} />)}
        <Group>
          <Button variant="default" leftSection={<IconHistory size={16} />} onClick={() => setMonthsBack((value) => value + 1)} loading={!history.ready && !history.error}>
            Show orders from {monthLabel(monthBefore(now, monthsBack + 1), locale)}
          </Button>
        </Group>
      </Stack>
      {orders.length === 0 && waiting.length === 0 && refused.length === 0 && (
        <EmptyState icon={<IconClipboardList size={32} />} title="No orders yet" description="When you check out, your order and its status appear here.">
          <EmptyState.Actions>
            <Button component={Link} to="/shop">
              Browse the shop
            </Button>
          </EmptyState.Actions>
        </EmptyState>
      )}
    </Stack>
  );
}
