/**
 * The virtualized product list: only the rows in view (plus a few) are in the DOM, so 10,000
 * products scroll and filter smoothly. Rows are links (Enter opens a product); arrow keys move
 * between rows, ArrowUp on the first row returns to the search box.
 */
import { Anchor, Button } from '@mantine/core';
import { IconShoppingCartPlus } from '@tabler/icons-react';
import { useWindowVirtualizer } from '@tanstack/react-virtual';
import { memo, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { Link } from 'react-router';
import type { Product } from '../../../../shared/domain/commerce/product.ts';
import type { StockLevels } from '../../../../shared/domain/commerce/stock.ts';
import { formatPrice, ProductPicture, StockBadge } from './components.tsx';
import type { ShopIdentity } from './data/shop-data.ts';

export const ROW_HEIGHT = 88;

export interface ProductListProps {
  readonly items: readonly Product[];
  readonly identity: ShopIdentity;
  readonly stock: StockLevels | undefined;
  readonly inCart: ReadonlyMap<string, number>;
  readonly locale: string;
  readonly label: string;
  /**
   * Per-row action, e.g. "Add to cart", and an extra column (admins: stock). Pass stable
   * functions (useCallback): rows are memoized and re-render only when what they show changes.
   */
  readonly action?: (product: Product, level: number | undefined) => ReactNode;
  readonly extra?: (product: Product, level: number | undefined) => ReactNode;
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
  readonly action: ProductListProps['action'];
  readonly extra: ProductListProps['extra'];
}

// Rows are the hot path (re-rendered on every keystroke): plain elements styled with the theme's
// tokens, Mantine components only where they carry behaviour (links, buttons, badges).
const rowStyle = {
  display: 'flex',
  alignItems: 'center',
  gap: 'var(--mantine-spacing-md)',
  height: ROW_HEIGHT,
  padding: '0 var(--mantine-spacing-sm)',
  borderBottom: '1px solid var(--mantine-color-default-border)',
} as const;
const textColumn = { flex: 1, minWidth: 0, display: 'flex', flexDirection: 'column', gap: 2 } as const;
const clamp = { display: 'block', overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' } as const;
const secondary = { ...clamp, fontSize: 'var(--mantine-font-size-sm)', color: 'var(--mantine-color-dimmed)' } as const;
const priceColumn = { width: 110, textAlign: 'right', fontWeight: 600, fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' } as const;

const ProductRow = memo(function ProductRow({ product, index, identity, level, quantityInCart, locale, href, action, extra }: RowProps) {
  return (
    <div style={rowStyle}>
      <ProductPicture image={product.images[0]} identity={identity} size={64} />
      <div style={textColumn}>
        <Anchor component={Link} to={href} fw={600} style={clamp} data-row-link={index}>
          {product.title}
        </Anchor>
        <span style={secondary}>
          {product.category}
          {product.tags.length > 0 ? ` · ${product.tags.join(', ')}` : ''}
          {quantityInCart > 0 ? ` · ${quantityInCart} in your cart` : ''}
        </span>
      </div>
      <div className="mantine-visible-from-sm">{extra ? extra(product, level) : <StockBadge level={level} />}</div>
      <span style={priceColumn}>{formatPrice(product.price, locale)}</span>
      {action?.(product, level)}
    </div>
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

export function ProductList({ items, identity, stock, inCart, locale, label, action, extra, hrefOf, onLeaveTop }: ProductListProps) {
  const listRef = useRef<HTMLDivElement>(null);
  const [margin, setMargin] = useState(0);
  const virtualizer = useWindowVirtualizer({
    count: items.length,
    estimateSize: () => ROW_HEIGHT,
    overscan: 6,
    scrollMargin: margin,
  });

  // The list starts below the filters: tell the virtualizer where. Measured on mount and on
  // resize only: reading layout on every keystroke would force a synchronous reflow each time.
  useLayoutEffect(() => {
    const measure = () => {
      const offset = listRef.current ? Math.round(listRef.current.getBoundingClientRect().top + window.scrollY) : 0;
      setMargin((current) => (current === offset ? current : offset));
    };
    measure();
    window.addEventListener('resize', measure);
    return () => window.removeEventListener('resize', measure);
  }, []);

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
        const level = stock ? (stock.get(product.id) ?? 0) : undefined;
        // Keyed by position: a new query updates the rows in place instead of remounting them.
        return (
          <div
            key={row.index}
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
              level={level}
              quantityInCart={inCart.get(product.id) ?? 0}
              locale={locale}
              href={hrefOf ? hrefOf(product) : `/shop/p/${encodeURIComponent(product.id)}`}
              action={action}
              extra={extra}
            />
          </div>
        );
      })}
    </div>
  );
}

