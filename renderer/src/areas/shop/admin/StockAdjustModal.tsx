/**
 * Admins change a stock level by a delta with a reason. The stock room is written only by the
 * referee, so this sends an `adjustStock` intent (offline too) and shows it pending with the
 * level the same rule predicts.
 */
import { Alert, Button, Group, Modal, NativeSelect, NumberInput, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import type { Product } from '../../../../../shared/domain/commerce/product.ts';
import type { StockLevels } from '../../../../../shared/domain/commerce/stock.ts';
import { LIMITS, STOCK_ADJUSTMENT_REASONS, type StockAdjustmentReason } from '../../../../../shared/domain/commerce/vocab.ts';
import { useEngine } from '../../../app/RuntimeContext.tsx';
import { DIALOG_PROPS, notify } from '../components.tsx';
import { requestStockAdjustment } from '../data/commands.ts';

export const REASON_LABELS: Readonly<Record<StockAdjustmentReason, string>> = {
  received: 'Received a delivery',
  correction: 'Count correction',
  damaged: 'Damaged',
  lost: 'Lost',
  returned: 'Returned by a customer',
  other: 'Other',
};

export function StockAdjustModal({ product, stock, pending, onClose }: { readonly product: Product | null; readonly stock: StockLevels | undefined; readonly pending: number; readonly onClose: () => void }) {
  return (
    <Modal {...DIALOG_PROPS} opened={product !== null} onClose={onClose} title={product ? `Adjust stock of “${product.title}”` : 'Adjust stock'} centered>
      {product && <StockForm key={product.id} product={product} stock={stock} pending={pending} onDone={onClose} />}
    </Modal>
  );
}

function StockForm({ product, stock, pending, onDone }: { readonly product: Product; readonly stock: StockLevels | undefined; readonly pending: number; readonly onDone: () => void }) {
  const engine = useEngine();
  const [delta, setDelta] = useState<number | string>('');
  const [reason, setReason] = useState<StockAdjustmentReason>('received');
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const onHand = stock?.get(product.id) ?? 0;
  const expected = onHand + pending;
  const change = typeof delta === 'number' ? delta : Number.NaN;
  const valid = Number.isSafeInteger(change) && change !== 0;
  const after = valid ? expected + change : null;

  const submit = async () => {
    setError(null);
    if (!valid) {
      setError('Type a whole number of units to add (like 10) or remove (like -2); not zero.');
      return;
    }
    if (after !== null && after < 0) {
      setError(`Only ${expected} on hand; you cannot remove ${-change}.`);
      return;
    }
    if (!engine || !stock) return;
    setBusy(true);
    try {
      const result = await requestStockAdjustment(engine, { productId: product.id, delta: change, reason, ...(note.trim() ? { note: note.trim() } : {}) }, stock);
      if (!result.ok) {
        setError(result.error.message);
        return;
      }
      notify({ message: `Stock change for “${product.title}” sent: ${change > 0 ? '+' : ''}${change}. It shows as pending until the shop server confirms it.`, color: 'teal' });
      onDone();
    } finally {
      setBusy(false);
    }
  };

  return (
    <Stack
      gap="sm"
      component="form"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <Text size="sm">
        On hand: <strong>{onHand}</strong>
        {pending !== 0 && ` (${pending > 0 ? '+' : ''}${pending} pending)`}
        {after !== null && after >= 0 && (
          <>
            {' '}
            → after this change: <strong>{after}</strong>
          </>
        )}
      </Text>
      <NumberInput
        label="Change in units"
        description="Positive adds units, negative removes them."
        value={delta}
        onChange={setDelta}
        allowDecimal={false}
        allowNegative
        min={-LIMITS.maxStockDelta}
        max={LIMITS.maxStockDelta}
        data-autofocus
        required
      />
      <NativeSelect label="Reason" value={reason} onChange={(event) => setReason(event.currentTarget.value as StockAdjustmentReason)} data={STOCK_ADJUSTMENT_REASONS.map((value) => ({ value, label: REASON_LABELS[value] }))} />
      <TextInput label="Note (optional)" value={note} onChange={(event) => setNote(event.currentTarget.value)} maxLength={200} />
      {error && (
        <Alert color="red" variant="light" role="alert">
          {error}
        </Alert>
      )}
      <Group justify="flex-end">
        <Button variant="default" onClick={onDone}>
          Cancel
        </Button>
        <Button type="submit" loading={busy}>
          Send stock change
        </Button>
      </Group>
    </Stack>
  );
}
