/**
 * The virtualized product list: only the rows in view (plus a few) are in the DOM, so 10,000
 * products scroll and filter smoothly. Rows are links (Enter opens a product); arrow keys move
 * between rows, ArrowUp on the first row returns to the search box.
 */
import { Anchor, Box, Button, Group, Stack, Text } from '@mantine/core';
import { IconShoppingCartPlus } from '@tabler/icons-react';
import { useWindowVirtualizer } from '@tanstack/react-virtual';
import { memo, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { Link } from 'react-router';
import type { Product } from '../../../../shared/domain/commerce/product.ts';
import type { StockLevels } from '../../../../shared/domain/commerce/stock.ts';
import { Price, ProductPicture, StockBadge } from './components.tsx';
import type { ShopIdentity } from './data/shop-data.ts';

export const ROW_HEIGHT = 88;

export interface ProductListProps {
  readonly items: readonly Product[];
  readonly identity: ShopIdentity;
  readonly stock: StockLevels | undefined;
  readonly inCart: ReadonlyMap<string, number>;
  readonly locale: string;
  /** Written to `data-rendered` once these rows are in the DOM (benchmarks wait for it). */
  readonly renderedKey: string;
  readonly label: string;
  /** Per-row action, e.g. "Add to cart"; omitted for admin lists that bring their own. */
  readonly action?: (product: Product, index: number) => ReactNode;
  readonly extra?: (product: Product) => ReactNode;
  readonly hrefOf?: (product: Product) => string;
  readonly onLeaveTop?: () => void;
}

interface RowProps {
  readonly product: Product;
  readonly index: number;
  readonly identity: ShopIdentity;
  readonly level: number | undefined;
  readonly quantityInCart: number;
  readonly locale: string;
  readonly href: string;
  readonly action: ReactNode;
  readonly extra: ReactNode;
}

const ProductRow = memo(function ProductRow({ product, index, identity, level, quantityInCart, locale, href, action, extra }: RowProps) {
  return (
    <Group wrap="nowrap" gap="md" h={ROW_HEIGHT} px="sm" style={{ borderBottom: '1px solid var(--mantine-color-default-border)' }}>
      <ProductPicture image={product.images[0]} identity={identity} size={64} />
      <Stack gap={2} style={{ flex: 1, minWidth: 0 }}>
        <Anchor component={Link} to={href} fw={600} lineClamp={1} data-row-link={index}>
          {product.title}
        </Anchor>
        <Text size="sm" c="dimmed" lineClamp={1}>
          {product.category}
          {product.tags.length > 0 ? ` · ${product.tags.join(', ')}` : ''}
        </Text>
        {quantityInCart > 0 && (
          <Text size="xs" c="dimmed">
            {quantityInCart} in your cart
          </Text>
        )}
      </Stack>
      <Box visibleFrom="sm">{extra ?? <StockBadge level={level} />}</Box>
      <Box w={110} ta="right">
        <Price money={product.price} locale={locale} />
      </Box>
      {action}
    </Group>
  );
});

export function AddToCartButton({ product, level, onAdd }: { readonly product: Product; readonly level: number | undefined; readonly onAdd: (product: Product) => void }) {
  const soldOut = level === 0;
  return (
    <Button
      size="xs"
      variant="light"
      w={92}
      leftSection={<IconShoppingCartPlus size={14} />}
      disabled={soldOut || product.status === 'archived'}
      onClick={() => onAdd(product)}
      aria-label={soldOut ? `${product.title} is sold out` : `Add ${product.title} to the cart`}
    >
      {soldOut ? 'Sold out' : 'Add'}
    </Button>
  );
}

export function ProductList({ items, identity, stock, inCart, locale, renderedKey, label, action, extra, hrefOf, onLeaveTop }: ProductListProps) {
  const listRef = useRef<HTMLDivElement>(null);
  const [margin, setMargin] = useState(0);
  const virtualizer = useWindowVirtualizer({
    count: items.length,
    estimateSize: () => ROW_HEIGHT,
    overscan: 6,
    scrollMargin: margin,
    getItemKey: (index) => items[index]!.id,
  });

  // The list starts below the filters: tell the virtualizer where, whenever the layout moves it.
  useLayoutEffect(() => {
    const offset = listRef.current ? Math.round(listRef.current.getBoundingClientRect().top + window.scrollY) : 0;
    if (offset !== margin) setMargin(offset);
  }, [margin, items]);

  useLayoutEffect(() => {
    listRef.current?.setAttribute('data-rendered', renderedKey);
  }, [renderedKey, items]);

  const focusRow = (index: number) => {
    virtualizer.scrollToIndex(index, { align: 'auto' });
    const tryFocus = (attempts: number) => {
      const link = listRef.current?.querySelector<HTMLAnchorElement>(`[data-row-link="${index}"]`);
      if (link) link.focus();
      else if (attempts > 0) requestAnimationFrame(() => tryFocus(attempts - 1));
    };
    requestAnimationFrame(() => tryFocus(5));
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const attribute = (event.target as HTMLElement).getAttribute('data-row-link');
    if (attribute === null) return;
    const index = Number(attribute);
    if (event.key === 'ArrowDown' && index < items.length - 1) {
      event.preventDefault();
      focusRow(index + 1);
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      if (index > 0) focusRow(index - 1);
      else onLeaveTop?.();
    } else if (event.key === 'Home') {
      event.preventDefault();
      focusRow(0);
    } else if (event.key === 'End') {
      event.preventDefault();
      focusRow(items.length - 1);
    }
  };

  const rows = virtualizer.getVirtualItems();
  return (
    <div ref={listRef} role="list" aria-label={label} data-testid="product-list" onKeyDown={onKeyDown} style={{ position: 'relative', height: virtualizer.getTotalSize(), width: '100%' }}>
      {rows.map((row) => {
        const product = items[row.index]!;
        return (
          <div
            key={row.key}
            role="listitem"
            aria-setsize={items.length}
            aria-posinset={row.index + 1}
            data-product-id={product.id}
            style={{ position: 'absolute', top: 0, left: 0, width: '100%', height: ROW_HEIGHT, transform: `translateY(${row.start - virtualizer.options.scrollMargin}px)` }}
          >
            <ProductRow
              product={product}
              index={row.index}
              identity={identity}
              level={stock?.get(product.id) ?? (stock ? 0 : undefined)}
              quantityInCart={inCart.get(product.id) ?? 0}
              locale={locale}
              href={hrefOf ? hrefOf(product) : `/shop/p/${encodeURIComponent(product.id)}`}
              action={action?.(product, row.index) ?? null}
              extra={extra?.(product) ?? null}
            />
          </div>
        );
      })}
    </div>
  );
}

