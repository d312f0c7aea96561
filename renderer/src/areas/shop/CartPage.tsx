/**
 * The cart (the user's private room, on every device of theirs) and checkout. Checking out
 * writes an intent with the prices the shopper saw; until the shop's referee decides it, the
 * page shows it pending with the decision this device predicts (the referee's own rule run on
 * the local catalog and stock). Guests are asked to create an account first and keep the cart.
 */
import { ActionIcon, Alert, Anchor, Button, Card, Divider, Grid, Group, List, NumberInput, Stack, Text, Title, Tooltip, EmptyState } from '@mantine/core';
import { IconCheck, IconShoppingCart, IconTrash, IconX } from '@tabler/icons-react';
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { cartTotals, priceChanges, unavailableLines, type Cart } from '../../../../shared/domain/commerce/cart.ts';
import type { CheckoutRejection } from '../../../../shared/domain/commerce/checkout.ts';
import { formatMoney, type CurrencyCode } from '../../../../shared/domain/commerce/currency.ts';
import type { Product } from '../../../../shared/domain/commerce/product.ts';
import { stockLevel, type StockLevels } from '../../../../shared/domain/commerce/stock.ts';
import { LIMITS } from '../../../../shared/domain/commerce/vocab.ts';
import { SHOP_INTENTS } from '../../../../shared/sync/layouts/shop.ts';
import type { IntentRecord } from '../../engine/collections.ts';
import { useOnline } from '../../app/network.ts';
import { useEngine } from '../../app/RuntimeContext.tsx';
import { formatPrice, LoadingBlock, notify, PendingBadge, Price, ProductPicture } from './components.tsx';
import { useCatalog } from './data/catalog-store.ts';
import { cartCommands, submitCheckout } from './data/commands.ts';
import { checkoutReceipt, checkoutRejections, isRecent, type CheckoutPrediction } from './data/intents.ts';
import { useCart, useLocale, useShopIntents, useStock, useTenantPolicy, type ShopIdentity } from './data/shop-data.ts';
import { RegisterToCheckout } from './RegisterToCheckout.tsx';
import { useShopContext } from './ShopLayout.tsx';

const RECENT_MS = 15 * 60_000;

function percent(bps: number, locale: string): string {
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 2 }).format(bps / 10_000);
}

export function RejectionList({ reasons, catalog }: { readonly reasons: readonly CheckoutRejection[]; readonly catalog: ReadonlyMap<string, Product> }) {
  return (
    <List size="sm" spacing={4}>
      {reasons.map((reason, index) => (
        <List.Item key={`${reason.productId ?? 'order'}-${reason.code}-${index}`}>
          {reason.productId && catalog.get(reason.productId) ? <strong>{catalog.get(reason.productId)!.title}: </strong> : null}
          {reason.message}
        </List.Item>
      ))}
    </List>
  );
}

/** The latest checkout: pending with its prediction, or how the shop decided. */
function CheckoutStatus({ record, catalog, locale, onDismiss }: { readonly record: IntentRecord; readonly catalog: ReadonlyMap<string, Product>; readonly locale: string; readonly onDismiss: () => void }) {
  const online = useOnline();
  if (record.status === 'pending') {
    const prediction = record.prediction as CheckoutPrediction | null;
    return (
      <Card withBorder padding="md" data-testid="checkout-status" data-status="pending" aria-live="polite">
        <Stack gap="xs">
          <Group gap="sm">
            <PendingBadge label="Order sent, waiting for the shop" />
          </Group>
          {prediction?.kind === 'accepted' && (
            <Text size="sm">
              Expected result: <strong>accepted</strong>, {prediction.units} {prediction.units === 1 ? 'item' : 'items'} for {formatMoney(prediction.total, prediction.currency, locale)}.
            </Text>
          )}
          {prediction?.kind === 'rejected' && (
            <>
              <Text size="sm">
                Expected result: <strong>refused</strong>, because:
              </Text>
              <RejectionList reasons={prediction.reasons} catalog={catalog} />
            </>
          )}
          <Text size="sm" c="dimmed">
            {online ? 'The shop decides every order once, against its live stock and prices.' : 'You are offline: the order is saved on this device and sent when you are back online.'}
          </Text>
        </Stack>
      </Card>
    );
  }
  const receipt = checkoutReceipt(record);
  if (receipt) {
    return (
      <Alert color="green" variant="light" icon={<IconCheck size={18} />} title={`Order ${receipt.number} placed`} withCloseButton onClose={onDismiss} closeButtonLabel="Dismiss" data-testid="checkout-status" data-status="accepted">
        Total {formatMoney(receipt.total, receipt.currency, locale)}. <Anchor component={Link} to="/shop/orders">Follow it in My orders</Anchor>.
      </Alert>
    );
  }
  return (
    <Alert color="red" variant="light" icon={<IconX size={18} />} title="The shop could not accept this order" withCloseButton onClose={onDismiss} closeButtonLabel="Dismiss" data-testid="checkout-status" data-status="rejected" role="alert">
      <Stack gap={6}>
        <RejectionList reasons={checkoutRejections(record)} catalog={catalog} />
        <Text size="sm">Nothing was charged and your cart is unchanged. Fix the lines above and check out again.</Text>
      </Stack>
    </Alert>
  );
}

function CartLineRow({ line, product, level, identity, locale }: { readonly line: Cart['lines'][number]; readonly product: Product | undefined; readonly level: number; readonly identity: ShopIdentity; readonly locale: string }) {
  const engine = useEngine();
  const title = product?.title ?? 'A product no longer in the shop';
  const changed = product && (product.price.amount !== line.priceSeen.amount || product.price.currency !== line.priceSeen.currency);
  const unavailable = !product || product.status === 'archived';
  const setQuantity = (value: number | string) => {
    if (!engine || typeof value !== 'number' || !Number.isSafeInteger(value)) return;
    const result = cartCommands.setQuantity(engine, line.productId, Math.max(0, Math.min(LIMITS.maxLineQuantity, value)));
    if (!result.ok) notify({ message: result.error.message, color: 'red' });
  };
  return (
    <Group wrap="nowrap" gap="md" align="flex-start" py="sm" data-testid="cart-line" data-product-id={line.productId}>
      <ProductPicture image={product?.images[0]} identity={identity} size={64} />
      <Stack gap={4} style={{ flex: 1, minWidth: 0 }}>
        {product ? (
          <Anchor component={Link} to={`/shop/p/${encodeURIComponent(line.productId)}`} fw={600} lineClamp={2}>
            {title}
          </Anchor>
        ) : (
          <Text fw={600}>{title}</Text>
        )}
        <Group gap={6}>
          <Price money={product?.price ?? line.priceSeen} locale={locale} size="sm" fw={500} />
          <Text size="sm" c="dimmed">
            each
          </Text>
        </Group>
        {changed && (
          <Text size="sm" c="red.9" data-testid="price-changed">
            Price changed since you added it: was {formatPrice(line.priceSeen, locale)}, now {formatPrice(product.price, locale)}.
          </Text>
        )}
        {unavailable && (
          <Text size="sm" c="red.9">
            {product ? 'No longer sold.' : 'Removed from the shop.'} Remove it to check out.
          </Text>
        )}
        {!unavailable && level < line.quantity && (
          <Text size="sm" c="red.9">
            {level === 0 ? 'Sold out right now.' : `Only ${level} left.`}
          </Text>
        )}
      </Stack>
      <NumberInput aria-label={`Quantity of ${title}`} value={line.quantity} onChange={setQuantity} min={1} max={LIMITS.maxLineQuantity} allowDecimal={false} allowNegative={false} w={90} clampBehavior="strict" />
      <Tooltip label="Remove from the cart">
        <ActionIcon variant="subtle" color="gray" size="lg" aria-label={`Remove ${title} from the cart`} onClick={() => engine && cartCommands.remove(engine, line.productId)}>
          <IconTrash size={18} />
        </ActionIcon>
      </Tooltip>
    </Group>
  );
}

export function CartPage() {
  const { identity } = useShopContext();
  const engine = useEngine();
  const snapshot = useCatalog();
  const cart = useCart();
  const stock = useStock();
  const intents = useShopIntents();
  const policy = useTenantPolicy();
  const locale = useLocale();
  const online = useOnline();
  const [dismissed, setDismissed] = useState<ReadonlySet<string>>(new Set());
  const [registering, setRegistering] = useState(false);
  const [busy, setBusy] = useState(false);
  const [now] = useState(() => Date.now());

  const catalog = snapshot?.catalog ?? new Map<string, Product>();
  const latest = useMemo(() => intents?.find((record) => record.kind === SHOP_INTENTS.checkout), [intents]);
  const showLatest = latest && !dismissed.has(latest.id) && isRecent(latest, now, RECENT_MS) ? latest : null;
  const pendingCheckout = latest?.status === 'pending';

  if (!cart || !snapshot || snapshot.status === 'loading') return <LoadingBlock label="Loading your cart…" />;

  const changes = priceChanges(cart, catalog);
  const unavailable = unavailableLines(cart, catalog);
  const levels: StockLevels = stock ?? new Map();
  const short = cart.lines.filter((line) => catalog.get(line.productId)?.status === 'active' && stockLevel(levels, line.productId) < line.quantity);
  const taxBps = policy?.taxBps ?? null;
  const totals = cartTotals(cart, catalog, taxBps ?? 0);
  const blockers = [
    changes.length > 0 && 'Some prices changed: review them first.',
    unavailable.length > 0 && 'Remove the products that are no longer sold.',
    !totals.ok && totals.error.message,
    pendingCheckout && 'Your last order is still waiting for the shop.',
  ].filter((value): value is string => typeof value === 'string');

  const checkout = async () => {
    if (!engine || !totals.ok) return;
    if (identity.isGuest) {
      setRegistering(true);
      return;
    }
    setBusy(true);
    try {
      const result = await submitCheckout(engine, { catalog, stock: levels, taxBps, expectedTotal: taxBps === null ? null : totals.value.total });
      if (!result.ok) notify({ title: 'Not sent', message: result.error.message, color: 'red' });
      else setDismissed(new Set());
    } finally {
      setBusy(false);
    }
  };

  const status = showLatest ? <CheckoutStatus record={showLatest} catalog={catalog} locale={locale} onDismiss={() => setDismissed(new Set([...dismissed, showLatest.id]))} /> : null;

  if (cart.lines.length === 0) {
    return (
      <Stack gap="md">
        <Title order={3}>Your cart</Title>
        {status}
        <EmptyState icon={<IconShoppingCart size={32} />} title="Your cart is empty" description="Add products from the shop; your cart follows you to your other devices and is kept when you close the app.">
          <EmptyState.Actions>
            <Button component={Link} to="/shop">
              Browse the shop
            </Button>
          </EmptyState.Actions>
        </EmptyState>
      </Stack>
    );
  }

  const currency: CurrencyCode = (totals.ok ? totals.value.currency : null) ?? cart.lines[0]!.priceSeen.currency;
  return (
    <Stack gap="md">
      <Title order={3}>Your cart</Title>
      {status}
      {changes.length > 0 && (
        <Alert color="orange" variant="light" title="Prices changed since you added these" data-testid="price-change-alert">
          <Stack gap="xs">
            <Text size="sm">The shop charges today’s price. Check the lines marked below, then confirm.</Text>
            <Group>
              <Button size="xs" variant="light" color="orange" onClick={() => engine && cartCommands.acceptPrices(engine, catalog)}>
                Use today’s prices
              </Button>
            </Group>
          </Stack>
        </Alert>
      )}
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, md: 8 }}>
          <Card withBorder padding="md">
            <Stack gap={0} role="list" aria-label="Cart lines">
              {cart.lines.map((line, index) => (
                <div role="listitem" key={line.productId}>
                  {index > 0 && <Divider />}
                  <CartLineRow line={line} product={catalog.get(line.productId)} level={stockLevel(levels, line.productId)} identity={identity} locale={locale} />
                </div>
              ))}
            </Stack>
          </Card>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Card withBorder padding="md">
            <Stack gap="xs">
              <Title order={4}>Summary</Title>
              {totals.ok ? (
                <>
                  <Group justify="space-between">
                    <Text>Subtotal</Text>
                    <Text style={{ fontVariantNumeric: 'tabular-nums' }}>{formatMoney(totals.value.subtotal, currency, locale)}</Text>
                  </Group>
                  <Group justify="space-between">
                    <Text>Tax{taxBps !== null ? ` (${percent(taxBps, locale)})` : ''}</Text>
                    <Text style={{ fontVariantNumeric: 'tabular-nums' }}>{taxBps === null ? 'added by the shop' : formatMoney(totals.value.tax, currency, locale)}</Text>
                  </Group>
                  <Divider />
                  <Group justify="space-between">
                    <Text fw={700}>Total</Text>
                    <Text fw={700} style={{ fontVariantNumeric: 'tabular-nums' }} data-testid="cart-total">
                      {formatMoney(totals.value.total, currency, locale)}
                    </Text>
                  </Group>
                </>
              ) : (
                <Text c="red.9">{totals.error.message}</Text>
              )}
              {short.length > 0 && (
                <Text size="sm" c="red.9">
                  Some items are short on stock right now; the shop may refuse the order.
                </Text>
              )}
              {blockers.length > 0 && (
                <List size="sm" c="dimmed">
                  {blockers.map((blocker) => (
                    <List.Item key={blocker}>{blocker}</List.Item>
                  ))}
                </List>
              )}
              <Button size="md" onClick={() => void checkout()} loading={busy} disabled={blockers.length > 0} data-testid="checkout-button">
                {identity.isGuest ? 'Create an account to check out' : 'Check out'}
              </Button>
              {!online && !identity.isGuest && (
                <Text size="xs" c="dimmed">
                  You are offline: checking out saves the order here and sends it when you are back online.
                </Text>
              )}
            </Stack>
          </Card>
        </Grid.Col>
      </Grid>
      <RegisterToCheckout opened={registering} onClose={() => setRegistering(false)} onRegistered={() => setRegistering(false)} />
    </Stack>
  );
}
