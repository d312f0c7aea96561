/**
 * Resolving a market (its creator or a tenant admin): to YES/NO or an option, to a probability
 * (binary markets), or N/A (every trade refunded at cost). Within the correction window a
 * resolution can be corrected: the referee reverses the payouts exactly and pays anew. The
 * dialog previews the payouts with the referee's own `resolveMarket` / `correctResolution`.
 */
import { Alert, Button, Group, Modal, Radio, Stack, Table, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { correctResolution, type Market, type Position, type Resolution, resolveMarket } from '../../../../shared/domain/markets/index.ts';
import { minor } from '../../../../shared/domain/money.ts';
import type { MarketDetail } from '../../engine/projections/markets.ts';
import { useEngine } from '../../app/RuntimeContext.tsx';
import { DIALOG_PROPS, notify } from './components.tsx';
import { submitResolution } from './data/commands.ts';
import type { MarketsIdentity } from './data/markets-data.ts';
import { formatPoints, refusalText, resolutionLabel } from './model/format.ts';

type Choice = `outcome:${number}` | 'probability' | 'na';

function resolutionOf(choice: Choice, percent: string): Resolution | string {
  if (choice === 'na') return { kind: 'na' };
  if (choice === 'probability') {
    const value = Number(percent.trim().replace(',', '.'));
    if (percent.trim() === '' || !Number.isFinite(value) || value < 0 || value > 100) return 'Enter a probability between 0 and 100%.';
    return { kind: 'probability', probability: value / 100 };
  }
  return { kind: 'outcome', outcome: Number(choice.slice('outcome:'.length)) };
}

function positionsOf(detail: MarketDetail): Position[] {
  return detail.holders.map((holder) => ({ marketId: detail.market.id, userId: holder.userId, shares: holder.shares, spent: minor(holder.spent), received: minor(holder.received) }));
}

export function ResolveDialog({ opened, onClose, market, detail, identity, locale, now }: {
  readonly opened: boolean;
  readonly onClose: () => void;
  readonly market: Market;
  readonly detail: MarketDetail;
  readonly identity: MarketsIdentity;
  readonly locale: string;
  readonly now: number;
}) {
  const engine = useEngine();
  const correcting = market.settlement !== null;
  const [choice, setChoice] = useState<Choice>('outcome:0');
  const [percent, setPercent] = useState('');
  const [busy, setBusy] = useState(false);
  const resolution = resolutionOf(choice, percent);
  const resolver = { userId: identity.user, role: identity.role };
  let preview: { ok: true; paid: Array<[string, number]>; leftover: number } | { ok: false; message: string } | null = null;
  if (typeof resolution !== 'string') {
    try {
      const decided = correcting ? correctResolution(market, positionsOf(detail), resolver, resolution, now, 'preview') : resolveMarket(market, positionsOf(detail), resolver, resolution, now, 'preview');
      preview = decided.ok
        ? { ok: true, paid: Object.entries(decided.value.market.settlement?.paid ?? {}), leftover: decided.value.market.settlement?.leftover ?? 0 }
        : { ok: false, message: refusalText(decided.error.code, decided.error.message) };
    } catch {
      // The positions on this device do not add up to the market's cash yet (a trade still syncing).
      preview = null;
    }
  }
  const names = new Map(detail.holders.map((holder) => [holder.userId, holder.name]));
  names.set(market.creatorId, detail.creatorName);

  const confirm = async () => {
    if (!engine || typeof resolution === 'string') return;
    setBusy(true);
    try {
      await submitResolution(engine, market.id, resolution, correcting);
      onClose();
      notify({ title: correcting ? 'Correction sent' : 'Resolution sent', message: `The market resolves to ${resolutionLabel(resolution, market.outcomes, locale)} once the server confirms it.` });
    } catch (cause) {
      notify({ title: 'Not sent', message: (cause as Error).message, color: 'red' });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal opened={opened} onClose={onClose} title={correcting ? 'Correct the resolution' : 'Resolve this market'} size="lg" {...DIALOG_PROPS}>
      <Stack gap="md">
        <Text size="sm">{market.question}</Text>
        {correcting && market.settlement && (
          <Alert color="yellow" variant="light">
            Currently resolved to <strong>{resolutionLabel(market.settlement.resolution, market.outcomes, locale)}</strong>. A correction reverses every payout exactly and pays out again.
          </Alert>
        )}
        <Radio.Group label="Resolve to" value={choice} onChange={(value) => setChoice(value as Choice)}>
          <Stack gap={6} mt={4}>
            {market.outcomes.map((label, index) => (
              <Radio key={`${index}:${label}`} value={`outcome:${index}`} label={label} />
            ))}
            {market.kind === 'binary' && <Radio value="probability" label="A probability (YES pays p, NO pays 1 − p)" />}
            <Radio value="na" label="N/A: cancel the market and refund every trade" />
          </Stack>
        </Radio.Group>
        {choice === 'probability' && <TextInput label="Probability of YES (%)" inputMode="decimal" value={percent} onChange={(event) => setPercent(event.currentTarget.value)} error={typeof resolution === 'string' && percent !== '' ? resolution : undefined} />}
        {preview?.ok === true && (
          <Stack gap={4}>
            <Text size="sm" fw={600}>
              Payouts
            </Text>
            <Table withRowBorders={false} verticalSpacing={2} data-testid="resolve-preview">
              <Table.Tbody>
                {preview.paid.length === 0 && (
                  <Table.Tr>
                    <Table.Td colSpan={2}>
                      <Text size="sm" c="dimmed">
                        Nobody holds shares that pay under this resolution.
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                )}
                {preview.paid.map(([userId, amount]) => (
                  <Table.Tr key={userId}>
                    <Table.Td>{names.get(userId) ?? userId}</Table.Td>
                    <Table.Td ta="right">{formatPoints(amount, locale)}</Table.Td>
                  </Table.Tr>
                ))}
                <Table.Tr>
                  <Table.Td>Back to the creator ({detail.creatorName})</Table.Td>
                  <Table.Td ta="right">{formatPoints(preview.leftover, locale)}</Table.Td>
                </Table.Tr>
              </Table.Tbody>
            </Table>
          </Stack>
        )}
        {preview?.ok === false && (
          <Text size="sm" c="red.9">
            {preview.message}
          </Text>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button onClick={() => void confirm()} loading={busy} disabled={typeof resolution === 'string' || preview?.ok === false}>
            {typeof resolution === 'string' ? 'Resolve' : `${correcting ? 'Correct to' : 'Resolve to'} ${resolutionLabel(resolution, market.outcomes, locale)}`}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
