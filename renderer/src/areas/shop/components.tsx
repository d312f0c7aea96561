/**
 * Small pieces every shop screen uses: prices, product pictures with a placeholder, stock and
 * status badges, the pending look of an intent, and the offline notice. Untrusted text
 * (titles, descriptions, names) is always rendered as React text, never as HTML.
 */
import { Alert, Badge, Box, Center, Group, Loader, Text, Tooltip } from '@mantine/core';
import { notifications, type NotificationData } from '@mantine/notifications';
import { IconCloudOff, IconPhoto } from '@tabler/icons-react';
import { useState, type CSSProperties, type ReactNode } from 'react';
import { currencyExponent, minorToDecimalString, type Money } from '../../../../shared/domain/commerce/currency.ts';
import type { ProductImage } from '../../../../shared/domain/commerce/product.ts';
import type { OrderStatus } from '../../../../shared/domain/commerce/vocab.ts';
import { useOnline } from '../../app/network.ts';
import { useSyncStatus } from '../../app/RuntimeContext.tsx';
import { blobUrl } from './data/blobs.ts';
import { STATUS_COLOR, STATUS_LABEL } from './data/orders.ts';
import type { ShopIdentity } from './data/shop-data.ts';

const formatters = new Map<string, Intl.NumberFormat>();

/**
 * `formatMoney` of the domain with its `Intl.NumberFormat` kept per (locale, currency): building
 * one per call was the most expensive thing a product row did. Same options, same exact decimal
 * string input, same en-US fallback for an unknown locale; `components.test.ts` checks that the
 * two agree.
 */
export function formatPrice(money: Money, locale: string): string {
  const key = `${locale}|${money.currency}`;
  let format = formatters.get(key);
  if (format === undefined) {
    const digits = currencyExponent(money.currency);
    const options = { style: 'currency', currency: money.currency, minimumFractionDigits: digits, maximumFractionDigits: digits } as const;
    try {
      format = new Intl.NumberFormat(locale, options);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      format = new Intl.NumberFormat('en-US', options);
    }
    if (formatters.size > 200) formatters.clear();
    formatters.set(key, format);
  }
  return format.format(minorToDecimalString(money.amount, money.currency));
}

export function Price({ money, locale, size, fw }: { readonly money: Money; readonly locale: string; readonly size?: string; readonly fw?: number }) {
  return (
    <Text span size={size} fw={fw ?? 600} style={{ fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' }}>
      {formatPrice(money, locale)}
    </Text>
  );
}

/**
 * A product picture from the blob store, or a neutral placeholder when the product has none or
 * the picture cannot be loaded (offline and not cached, say). Decorative unless `alt` is given.
 */
export function ProductPicture({ image, identity, size, alt = '', radius = 'sm' }: { readonly image: ProductImage | undefined; readonly identity: ShopIdentity; readonly size: number | string; readonly alt?: string; readonly radius?: string }) {
  const [failed, setFailed] = useState<string | null>(null);
  const src = image ? blobUrl(identity.serverUrl, identity.tenant, image.hash) : null;
  // A number is a square of that many pixels; a string (e.g. "100%") is a square of that width.
  const box = { width: size, height: typeof size === 'number' ? size : 'auto', aspectRatio: '1 / 1', borderRadius: `var(--mantine-radius-${radius})`, overflow: 'hidden', flex: 'none' } as const;
  if (src === null || failed === src) {
    return (
      <Center style={{ ...box, background: 'var(--mantine-color-default-hover)', color: 'var(--mantine-color-dimmed)' }} aria-hidden={alt === '' ? true : undefined} role={alt === '' ? undefined : 'img'} aria-label={alt === '' ? undefined : alt}>
        <IconPhoto size={typeof size === 'number' ? Math.max(18, size / 3) : 48} stroke={1.4} />
      </Center>
    );
  }
  return (
    <Box style={box}>
      <img src={src} alt={alt} loading="lazy" decoding="async" onError={() => setFailed(src)} style={{ width: '100%', height: '100%', objectFit: 'cover', display: 'block' }} />
    </Box>
  );
}

export function StockBadge({ level, pending }: { readonly level: number | undefined; readonly pending?: number }) {
  const extra = pending ? (
    <Tooltip label="A stock change not yet confirmed by the shop server">
      <Badge variant="default" size="sm" leftSection={<Loader size={8} color="orange" />}>
        {pending > 0 ? `+${pending}` : pending} pending
      </Badge>
    </Tooltip>
  ) : null;
  let badge: ReactNode;
  // Dot badges: the colour is in the dot, the text keeps the body colour (contrast AA at 10 px).
  if (level === undefined) badge = <Badge variant="dot" color="gray" size="sm">Stock unknown</Badge>;
  else if (level === 0) badge = <Badge variant="dot" color="red" size="sm">Sold out</Badge>;
  else if (level <= 5) badge = <Badge variant="dot" color="orange" size="sm">Only {level} left</Badge>;
  else badge = <Badge variant="dot" color="teal" size="sm">In stock</Badge>;
  return extra ? (
    <Group gap={4} wrap="nowrap">
      {badge}
      {extra}
    </Group>
  ) : (
    badge
  );
}

export function OrderStatusBadge({ status }: { readonly status: OrderStatus }) {
  return (
    <Badge color={STATUS_COLOR[status]} variant="dot" data-testid="order-status" data-status={status}>
      {STATUS_LABEL[status]}
    </Badge>
  );
}

/** The look of something sent but not yet decided by the server. */
export function PendingBadge({ label = 'Pending' }: { readonly label?: string }) {
  return (
    <Badge variant="default" leftSection={<Loader size={10} color="orange" />} data-testid="pending-badge">
      {label}
    </Badge>
  );
}

/** Shown on shop screens while the browser is offline: what still works and what waits. */
export function OfflineNotice({ children }: { readonly children?: ReactNode }) {
  const online = useOnline();
  const status = useSyncStatus();
  if (online && status?.kind !== 'offline') return null;
  return (
    <Alert icon={<IconCloudOff size={18} />} color="gray" variant="light" title="You are offline" data-testid="shop-offline">
      {children ?? 'You are browsing the catalog saved on this device. Changes you make are kept here and sent when you are back online.'}
    </Alert>
  );
}

export function LoadingBlock({ label }: { readonly label: string }) {
  return (
    <Group gap="sm" py="xl" justify="center" role="status" aria-live="polite">
      <Loader size="sm" />
      <Text c="dimmed">{label}</Text>
    </Group>
  );
}

export function formatDateTime(at: number, locale: string): string {
  try {
    return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(at);
  } catch {
    return new Date(at).toISOString();
  }
}

/**
 * A toast with a labelled close button (Mantine's has no accessible name) and a message in the
 * theme's dimmed text colour (Mantine's grey-6 default is below AA contrast).
 */
export function notify(data: NotificationData): void {
  notifications.show({
    ...data,
    message: (
      <Text size="sm" c={data.title ? 'dimmed' : undefined}>
        {data.message}
      </Text>
    ),
    closeButtonProps: { 'aria-label': 'Dismiss notification', ...data.closeButtonProps },
  });
}

/**
 * Mantine's error red (red-6 on white, 3.3:1) is below WCAG AA for the small text under a field.
 * The theme should set `--mantine-color-error` for the whole app (renderer/src/ui/theme.ts, not
 * the shop's to change); until it does, the shop's screens and dialogs set it here.
 */
export const ACCESSIBLE_ERROR_COLOR = { '--mantine-color-error': 'light-dark(var(--mantine-color-red-8), var(--mantine-color-red-4))' } as CSSProperties;

/**
 * Props every shop dialog shares: a labelled close button, the accessible error colour, and no
 * scroll lock: Mantine locks scrolling with react-remove-scroll, which injects a `<style>` element
 * without the page's CSP nonce (blocked, and logged as an error). Giving it the nonce needs an
 * app-level `get-nonce` setup in main.tsx; until then dialogs leave the page scrollable.
 */
export const DIALOG_PROPS = { style: ACCESSIBLE_ERROR_COLOR, closeButtonProps: { 'aria-label': 'Close' }, lockScroll: false } as const;
