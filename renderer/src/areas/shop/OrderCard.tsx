/** One order: number, status (with its steps), lines and totals. Used by customers and admins. */
import { Card, Group, Stack, Stepper, Table, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { formatMoney } from '../../../../shared/domain/commerce/currency.ts';
import type { Order } from '../../../../shared/domain/commerce/order.ts';
import { formatDateTime, OrderStatusBadge } from './components.tsx';

function percent(bps: number, locale: string): string {
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 2 }).format(bps / 10_000);
}

export function OrderSteps({ order, locale }: { readonly order: Order; readonly locale: string }) {
  const at = (status: string) => order.history.find((entry) => entry.status === status)?.at;
  if (order.status === 'cancelled') {
    const cancelled = at('cancelled');
    return (
      <Text size="sm" c="dimmed">
        Cancelled{cancelled ? ` on ${formatDateTime(cancelled, locale)}` : ''}
        {order.payment === 'refunded' ? '; the payment was refunded' : ''}. The items went back into stock.
      </Text>
    );
  }
  const active = order.status === 'placed' ? 1 : order.status === 'paid' ? 2 : 3;
  const step = (status: 'placed' | 'paid' | 'fulfilled', label: string) => {
    const when = at(status);
    return <Stepper.Step label={label} description={when ? formatDateTime(when, locale) : undefined} />;
  };
  return (
    <Stepper active={active} size="xs" iconSize={24} allowNextStepsSelect={false} aria-label={`Order ${order.number} progress`}>
      {step('placed', 'Placed')}
      {step('paid', 'Paid')}
      {step('fulfilled', 'Fulfilled')}
    </Stepper>
  );
}

export function OrderCard({ order, locale, showCustomer = false, actions, notice }: { readonly order: Order; readonly locale: string; readonly showCustomer?: boolean; readonly actions?: ReactNode; readonly notice?: ReactNode }) {
  const money = (amount: Order['total']) => formatMoney(amount, order.currency, locale);
  return (
    <Card withBorder padding="md" data-testid="order-card" data-order-number={order.number} data-status={order.status} component="article" aria-label={`Order ${order.number}`}>
      <Stack gap="sm">
        <Group justify="space-between" wrap="wrap" gap="xs">
          <Group gap="sm">
            <Text fw={700}>Order {order.number}</Text>
            <OrderStatusBadge status={order.status} />
          </Group>
          <Text size="sm" c="dimmed">
            {showCustomer ? `${order.customer.displayName} · ` : ''}
            {formatDateTime(order.createdAt, locale)}
          </Text>
        </Group>
        <OrderSteps order={order} locale={locale} />
        <Table withRowBorders={false} verticalSpacing={2} fz="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Item</Table.Th>
              <Table.Th ta="right">Qty</Table.Th>
              <Table.Th ta="right">Price</Table.Th>
              <Table.Th ta="right">Total</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {order.lines.map((line) => (
              <Table.Tr key={line.productId}>
                <Table.Td style={{ overflowWrap: 'anywhere' }}>{line.title}</Table.Td>
                <Table.Td ta="right">{line.quantity}</Table.Td>
                <Table.Td ta="right">{money(line.unitPrice)}</Table.Td>
                <Table.Td ta="right">{money(line.lineTotal)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        <Group justify="flex-end" gap="lg">
          <Text size="sm" c="dimmed">
            Subtotal {money(order.subtotal)} · Tax ({percent(order.taxBps, locale)}) {money(order.tax)}
          </Text>
          <Text fw={700} data-testid="order-total">
            Total {money(order.total)}
          </Text>
        </Group>
        {notice}
        {actions && (
          <Group gap="xs" justify="flex-end">
            {actions}
          </Group>
        )}
      </Stack>
    </Card>
  );
}
