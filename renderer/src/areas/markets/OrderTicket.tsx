/**
 * The order ticket: buy by amount, buy shares or sell, on one outcome. The live preview (shares,
 * average price, new probability, max payout) is the referee's own `previewTrade` on this
 * device's view of the market, after the trader's pending trades; the intent carries a slippage
 * guard derived from it. Works offline: the trade waits in the outbox, shown as pending.
 */
import { Alert, Button, Card, Divider, Group, NativeSelect, Radio, SegmentedControl, Stack, Text, TextInput, Title } from '@mantine/core';
import { IconCloudOff } from '@tabler/icons-react';
import { useState } from 'react';
import type { Market } from '../../../../shared/domain/markets/index.ts';
import { useOnline } from '../../app/network.ts';
import { useEngine } from '../../app/RuntimeContext.tsx';
import { notify } from './components.tsx';
import { submitTrade } from './data/commands.ts';
import type { MarketsIdentity } from './data/markets-data.ts';
import { formatPoints, formatPrice, formatProbability, formatShares, refusalText } from './model/format.ts';
import { DEFAULT_SLIPPAGE, evaluateTicket, predictionOf, SLIPPAGE_CHOICES, TICKET_MODE_LABELS, TICKET_MODES, type TicketMode, type TradingState } from './model/ticket.ts';

function Row({ label, value, testId }: { readonly label: string; readonly value: string; readonly testId?: string }) {
  return (
    <Group justify="space-between" gap="xs" wrap="nowrap">
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text size="sm" fw={600} style={{ fontVariantNumeric: 'tabular-nums' }} data-testid={testId}>
        {value}
      </Text>
    </Group>
  );
}

export function OrderTicket({ market, state, identity, now, locale, pendingCount, balanceKnown }: {
  readonly market: Market;
  /** The trader's state after their pending trades in this market. */
  readonly state: TradingState;
  readonly identity: MarketsIdentity;
  readonly now: number;
  readonly locale: string;
  readonly pendingCount: number;
  /** False when neither the account nor the tenant's starting grant has reached this device. */
  readonly balanceKnown: boolean;
}) {
  const engine = useEngine();
  const online = useOnline();
  const [mode, setMode] = useState<TicketMode>('buy-amount');
  const [outcome, setOutcome] = useState(0);
  const [quantity, setQuantity] = useState('');
  const [slippage, setSlippage] = useState<number>(DEFAULT_SLIPPAGE);
  const [busy, setBusy] = useState(false);

  const ticket = evaluateTicket({ mode, outcome, quantity, slippage }, state, { userId: identity.user, role: identity.role }, now);
  const label = market.outcomes[outcome] ?? '';
  const held = state.position.shares[outcome] ?? 0;
  const selling = mode === 'sell-shares';

  const place = async () => {
    if (!engine || ticket.kind !== 'ready') return;
    setBusy(true);
    try {
      await submitTrade(engine, market.id, ticket.command, predictionOf(ticket.preview));
      setQuantity('');
      notify({ title: online ? 'Order sent' : 'Order saved on this device', message: online ? 'The market decides it in a moment, at the price of its turn.' : 'It is sent and decided when you are back online.', color: online ? 'plaza' : 'gray' });
    } catch (cause) {
      notify({ title: 'Not sent', message: (cause as Error).message, color: 'red' });
    } finally {
      setBusy(false);
    }
  };

  const submitLabel = ticket.kind === 'ready' ? (selling ? `Sell ${formatShares(ticket.preview.shares, locale)} ${label} for ${formatPoints(ticket.preview.cost, locale)}` : `Buy ${label} for ${formatPoints(ticket.preview.cost, locale)}`) : selling ? 'Sell' : 'Buy';

  return (
    <Card withBorder padding="md" component="section" aria-labelledby="ticket-title">
      <Stack gap="sm">
        <Title order={3} size="h4" id="ticket-title">
          Trade
        </Title>
        <SegmentedControl aria-label="Order type" fullWidth value={mode} onChange={(value) => setMode(value as TicketMode)} data={TICKET_MODES.map((value) => ({ value, label: TICKET_MODE_LABELS[value] }))} />
        <Radio.Group label="Outcome" value={String(outcome)} onChange={(value) => setOutcome(Number(value))}>
          <Stack gap={6} mt={4}>
            {market.outcomes.map((name, index) => (
              <Radio key={`${index}:${name}`} value={String(index)} label={name} />
            ))}
          </Stack>
        </Radio.Group>
        <TextInput
          label={mode === 'buy-amount' ? 'Amount to spend (points)' : 'Number of shares'}
          inputMode="decimal"
          autoComplete="off"
          value={quantity}
          onChange={(event) => setQuantity(event.currentTarget.value)}
          error={ticket.kind === 'invalid' ? ticket.message : undefined}
          description={selling ? `You hold ${formatShares(held, locale)} ${label} shares.` : `Available: ${formatPoints(state.balance, locale)}`}
          rightSectionWidth={selling ? 64 : undefined}
          rightSection={
            selling && held > 0 ? (
              <Button size="compact-xs" variant="subtle" onClick={() => setQuantity(String(held))} aria-label={`Sell all ${label} shares`}>
                All
              </Button>
            ) : undefined
          }
        />
        <NativeSelect
          label="Price protection"
          description="Refuse the trade if the price moves against you by more than this before it is decided."
          value={String(slippage)}
          onChange={(event) => setSlippage(Number(event.currentTarget.value))}
          data={SLIPPAGE_CHOICES.map((value) => ({ value: String(value), label: value === 0 ? 'None: exact price only' : `${Math.round(value * 100)}%` }))}
        />
        <Divider />
        <Stack gap={4} aria-live="polite" data-testid="ticket-preview" data-state={ticket.kind}>
          {ticket.kind === 'ready' && (
            <>
              <Row label={selling ? 'Shares sold' : 'Shares bought'} value={formatShares(ticket.preview.shares, locale)} testId="preview-shares" />
              <Row label="Average price" value={formatPrice(ticket.preview.averagePrice, locale)} testId="preview-average" />
              <Row label={`New probability of ${label}`} value={formatProbability(ticket.preview.probabilitiesAfter[outcome] ?? 0, locale)} testId="preview-probability" />
              <Row label={selling ? 'You receive' : 'You pay'} value={formatPoints(ticket.preview.cost, locale)} testId="preview-cost" />
              {!selling && <Row label={`Pays if ${label} wins`} value={formatPoints(ticket.preview.maxPayout, locale)} testId="preview-payout" />}
              <Row label="Balance after" value={formatPoints(ticket.preview.balanceAfter, locale)} />
              <Text size="xs" c="dimmed">
                {ticket.command.kind === 'buy-amount'
                  ? `Refused if it would buy fewer than ${formatShares(ticket.command.minShares, locale)} shares.`
                  : ticket.command.kind === 'buy-shares'
                    ? `Refused if it would cost more than ${formatPoints(ticket.command.maxCost, locale)}.`
                    : `Refused if it would pay less than ${formatPoints(ticket.command.minProceeds, locale)}.`}
              </Text>
            </>
          )}
          {ticket.kind === 'refused' && (
            <Text size="sm" c="red.9" data-testid="preview-refused">
              {refusalText(ticket.code, ticket.message)}
            </Text>
          )}
          {ticket.kind === 'empty' && (
            <Text size="sm" c="dimmed">
              {mode === 'buy-amount' ? 'Enter how much to spend to see what it buys.' : 'Enter a number of shares to see the price.'}
            </Text>
          )}
        </Stack>
        {!balanceKnown && (
          <Alert color="yellow" variant="light" title="Balance not known yet">
            Connect once so that this device learns your starting balance.
          </Alert>
        )}
        {pendingCount > 0 && (
          <Text size="xs" c="dimmed">
            The preview counts your {pendingCount === 1 ? 'pending order' : `${pendingCount} pending orders`} in this market first.
          </Text>
        )}
        <Button onClick={() => void place()} loading={busy} disabled={ticket.kind !== 'ready'} color={selling ? 'orange' : undefined} data-testid="place-order">
          {submitLabel}
        </Button>
        {!online && (
          <Group gap={6} wrap="nowrap">
            <IconCloudOff size={14} aria-hidden />
            <Text size="xs" c="dimmed">
              Offline: the order is kept on this device and decided when you reconnect, at the price of that moment (within your protection).
            </Text>
          </Group>
        )}
      </Stack>
    </Card>
  );
}
