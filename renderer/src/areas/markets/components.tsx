/**
 * Small pieces the markets screens share: the status badge, outcome probability bars, the
 * pending look of an intent. Untrusted text (questions, options, names) is rendered as React
 * text, never as HTML.
 */
import { Badge, Group, Progress, Stack, Text } from '@mantine/core';
import type { MarketStatus } from '../../../../shared/domain/markets/index.ts';
import { outcomeColor } from './model/chart.ts';
import { formatProbability } from './model/format.ts';

export { LoadingBlock, notify, PendingBadge, DIALOG_PROPS } from '../shop/components.tsx';

const STATUS_LOOK: Readonly<Record<MarketStatus, { color: string; label: string }>> = {
  open: { color: 'teal', label: 'Open' },
  closed: { color: 'orange', label: 'Closed, awaiting resolution' },
  resolved: { color: 'gray', label: 'Resolved' },
};

export function MarketStatusBadge({ status }: { readonly status: MarketStatus }) {
  const look = STATUS_LOOK[status];
  return (
    <Badge variant="dot" color={look.color} data-testid="market-status" data-status={status}>
      {look.label}
    </Badge>
  );
}

/** Each outcome with its probability as a bar; `probabilities` sum to 1. */
export function OutcomeBars({ outcomes, probabilities, locale, highlight }: { readonly outcomes: readonly string[]; readonly probabilities: readonly number[]; readonly locale: string; readonly highlight?: number | null }) {
  return (
    <Stack gap={6} role="list" aria-label="Outcomes and probabilities">
      {outcomes.map((label, index) => {
        const p = probabilities[index] ?? 0;
        return (
          <div role="listitem" key={`${index}:${label}`} data-testid="outcome-row" data-outcome={label}>
            <Group justify="space-between" gap="xs" wrap="nowrap">
              <Text size="sm" fw={highlight === index ? 700 : 500} lineClamp={1}>
                {label}
              </Text>
              <Text size="sm" fw={600} style={{ fontVariantNumeric: 'tabular-nums' }} data-testid="outcome-probability">
                {formatProbability(p, locale)}
              </Text>
            </Group>
            <Progress value={p * 100} color={outcomeColor(index)} size="sm" aria-hidden />
          </div>
        );
      })}
    </Stack>
  );
}
