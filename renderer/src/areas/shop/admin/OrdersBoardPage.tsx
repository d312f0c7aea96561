/**
 * The admins' order board: every order of the shop by status (the tenant's active-orders room
 * and the month rooms, the current one open and earlier ones on demand). Moving an order sends a
 * `setOrderStatus` intent; until the referee decides it, the order shows the move as pending.
 */
import { Alert, Badge, Button, Group, Modal, NativeSelect, SimpleGrid, Stack, Text, TextInput, Title, EmptyState } from '@mantine/core';
import { IconLayoutKanban, IconSearch } from '@tabler/icons-react';
import { useMemo, useState } from 'react';
import type { Order } from '../../../../../shared/domain/commerce/order.ts';
import { foldText } from '../../../../../shared/domain/commerce/text.ts';
import { ORDER_STATUSES, type OrderStatus } from '../../../../../shared/domain/commerce/vocab.ts';
import { SHOP_INTENTS } from '../../../../../shared/sync/layouts/shop.ts';
import { roomNames } from '../../../../../shared/sync/rooms.ts';
import type { IntentRecord } from '../../../engine/collections.ts';
import { useEngine } from '../../../app/RuntimeContext.tsx';
import { useRooms } from '../../../app/useRooms.ts';
import { DIALOG_PROPS, LoadingBlock, notify, PendingBadge } from '../components.tsx';
import { moveOrder } from '../data/commands.ts';
import { decisionOf, type OrderMovePrediction } from '../data/intents.ts';
import { MOVE_LABEL, monthBefore, monthLabel, nextStatuses, STATUS_LABEL } from '../data/orders.ts';
import { useLocale, useOrders, useShopIntents } from '../data/shop-data.ts';
import { OrderCard } from '../OrderCard.tsx';
import { useShopContext } from '../ShopLayout.tsx';

const RECENT_MS = 10 * 60_000;

function movesByOrder(intents: readonly IntentRecord[] | undefined): Map<string, IntentRecord[]> {
  const map = new Map<string, IntentRecord[]>();
  for (const record of intents ?? []) {
    if (record.kind !== SHOP_INTENTS.setOrderStatus) continue;
    const orderId = (record.payload as { orderId?: unknown } | null)?.orderId;
    if (typeof orderId !== 'string') continue;
    map.set(orderId, [...(map.get(orderId) ?? []), record]);
  }
  return map;
}

function OrderActions({ order, moves, onCancel }: { readonly order: Order; readonly moves: readonly IntentRecord[]; readonly onCancel: (order: Order) => void }) {
  const engine = useEngine();
  const pending = moves.find((record) => record.status === 'pending');
  if (pending) {
    const prediction = pending.prediction as OrderMovePrediction | null;
    const to = (pending.payload as { to?: OrderStatus } | null)?.to;
    return <PendingBadge label={prediction?.kind === 'rejected' ? `Refusal expected: ${prediction.message}` : `Moving to ${to ? STATUS_LABEL[to].toLowerCase() : '…'}`} />;
  }
  const send = async (to: OrderStatus) => {
    if (!engine) return;
    await moveOrder(engine, order, to);
  };
  return (
    <>
      {nextStatuses(order).map((to) =>
        to === 'cancelled' ? (
          <Button key={to} size="xs" variant="default" color="red" onClick={() => onCancel(order)}>
            {MOVE_LABEL[to]}
          </Button>
        ) : (
          <Button key={to} size="xs" onClick={() => void send(to)} aria-label={`${MOVE_LABEL[to]}: order ${order.number}`}>
            {MOVE_LABEL[to]}
          </Button>
        ),
      )}
    </>
  );
}

function MoveNotice({ moves, now }: { readonly moves: readonly IntentRecord[]; readonly now: number }) {
  const refused = moves.find((record) => record.status !== 'pending' && record.status !== 'accepted' && now - record.decidedAt < RECENT_MS);
  if (!refused) return null;
  return (
    <Alert color="red" variant="light" p="xs">
      The last change was refused: {decisionOf(refused)?.message ?? 'unknown reason'}
    </Alert>
  );
}

export function OrdersBoardPage() {
  const { identity } = useShopContext();
  const engine = useEngine();
  const locale = useLocale();
  const [now] = useState(() => Date.now());
  const [month, setMonth] = useState(() => monthBefore(now, 0));
  const [filter, setFilter] = useState('');
  const [cancelling, setCancelling] = useState<Order | null>(null);
  const rooms = useRooms(identity.isAdmin ? [roomNames.orders(identity.tenant), roomNames.orders(identity.tenant, month)] : []);
  const orders = useOrders('tenant');
  const intents = useShopIntents();
  const moves = useMemo(() => movesByOrder(intents), [intents]);
  const monthOptions = useMemo(() => Array.from({ length: 12 }, (_unused, offset) => monthBefore(now, offset)), [now]);

  if (!identity.isAdmin) {
    return <EmptyState icon={<IconLayoutKanban size={32} />} title="For shop admins" description="Only the shop owner and admins see every order." />;
  }
  if (rooms.error) {
    return (
      <Alert color="red" variant="light" role="alert" title="The orders could not be opened">
        {rooms.error}
      </Alert>
    );
  }
  if (!orders || !rooms.ready) return <LoadingBlock label="Loading orders…" />;

  const needle = foldText(filter);
  const shown = orders.filter((order) => {
    const inMonth = order.status === 'placed' || order.status === 'paid' || monthBefore(order.createdAt, 0) === month;
    return inMonth && (needle === '' || foldText(`${order.number} ${order.customer.displayName}`).includes(needle));
  });
  const columns = ORDER_STATUSES.map((status) => ({ status, orders: shown.filter((order) => order.status === status) }));

  const confirmCancel = async () => {
    if (!engine || !cancelling) return;
    const order = cancelling;
    setCancelling(null);
    await moveOrder(engine, order, 'cancelled');
    notify({ message: `Cancelling order ${order.number}: its items go back into stock${order.payment === 'paid' ? ' and the payment is refunded' : ''}.` });
  };

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end" wrap="wrap">
        <Title order={3}>Order board</Title>
        <Group gap="sm" align="flex-end">
          <TextInput label="Find an order" placeholder="Number or customer" leftSection={<IconSearch size={16} />} value={filter} onChange={(event) => setFilter(event.currentTarget.value)} />
          <NativeSelect label="Finished orders of" value={month} onChange={(event) => setMonth(event.currentTarget.value)} data={monthOptions.map((value) => ({ value, label: monthLabel(value, locale) }))} />
        </Group>
      </Group>
      {orders.length === 0 ? (
        <EmptyState icon={<IconLayoutKanban size={32} />} title="No orders yet" description="Orders appear here as soon as customers check out. Each one starts as placed; mark it paid, then fulfilled." />
      ) : (
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }} spacing="md">
          {columns.map((column) => (
            <Stack key={column.status} gap="sm" component="section" aria-label={`${STATUS_LABEL[column.status]} orders`} data-testid={`column-${column.status}`}>
              <Group gap="xs">
                <Title order={4}>{STATUS_LABEL[column.status]}</Title>
                <Badge variant="default">
                  {column.orders.length}
                </Badge>
              </Group>
              {column.orders.length === 0 ? (
                <Text size="sm" c="dimmed">
                  None{column.status === 'fulfilled' || column.status === 'cancelled' ? ` in ${monthLabel(month, locale)}` : ''}.
                </Text>
              ) : (
                column.orders.map((order) => (
                  <OrderCard
                    key={order.id}
                    order={order}
                    locale={locale}
                    showCustomer
                    notice={<MoveNotice moves={moves.get(order.id) ?? []} now={now} />}
                    actions={nextStatuses(order).length > 0 ? <OrderActions order={order} moves={moves.get(order.id) ?? []} onCancel={setCancelling} /> : undefined}
                  />
                ))
              )}
            </Stack>
          ))}
        </SimpleGrid>
      )}
      <Modal {...DIALOG_PROPS} opened={cancelling !== null} onClose={() => setCancelling(null)} title={cancelling ? `Cancel order ${cancelling.number}?` : 'Cancel order'} centered>
        <Stack gap="sm">
          <Text size="sm">
            The items go back into stock{cancelling?.payment === 'paid' ? ' and the payment is marked refunded' : ''}. The customer sees the order as cancelled. This cannot be undone.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setCancelling(null)}>
              Keep the order
            </Button>
            <Button color="red" onClick={() => void confirmCancel()}>
              Cancel the order
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
