/**
 * Browse: search (typos forgiven, accents ignored), filter by category and price, sort, over the
 * in-memory index of the whole catalog, in a virtualized list. The search box takes `/` from
 * anywhere on the page; Enter opens the best match; ArrowDown walks into the results.
 */
import { Anchor, Button, Grid, Group, Kbd, Loader, NativeSelect, Skeleton, Stack, Text, TextInput, EmptyState } from '@mantine/core';
import { IconBuildingStore, IconPlus, IconSearch, IconSearchOff } from '@tabler/icons-react';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { parseMoneyInput, type CurrencyCode } from '../../../../shared/domain/commerce/currency.ts';
import type { Product } from '../../../../shared/domain/commerce/product.ts';
import { PRODUCT_SORTS, type ProductSort } from '../../../../shared/domain/commerce/search.ts';
import type { Minor } from '../../../../shared/domain/money.ts';
import { roomNames } from '../../../../shared/sync/rooms.ts';
import { useEngine } from '../../app/RuntimeContext.tsx';
import { cartCommands } from './data/commands.ts';
import { useCatalog } from './data/catalog-store.ts';
import { useCart, useCatalogEverSynced, useLocale, useRoomState, useStock, useTenantPolicy } from './data/shop-data.ts';
import { AddToCartButton, ProductList, ROW_HEIGHT } from './ProductList.tsx';
import { notify } from './components.tsx';
import { useShopContext } from './ShopLayout.tsx';

export const SORT_LABELS: Readonly<Record<ProductSort, string>> = {
  relevance: 'Best match',
  newest: 'Newest first',
  'price-asc': 'Price: low to high',
  'price-desc': 'Price: high to low',
  title: 'Name: A to Z',
};

function parseSort(value: string | null): ProductSort {
  return PRODUCT_SORTS.find((sort) => sort === value) ?? 'relevance';
}

function priceBound(text: string, currency: CurrencyCode): { value: Minor | null; error: string | null } {
  if (text.trim() === '') return { value: null, error: null };
  const parsed = parseMoneyInput(text, currency);
  return parsed.ok ? { value: parsed.value, error: null } : { value: null, error: parsed.error.message };
}

function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/** `/` anywhere on the page (outside a text field) puts the cursor in the search box. */
export function useSlashToFocus(ref: React.RefObject<HTMLInputElement | null>): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey || isTypingTarget(event.target)) return;
      event.preventDefault();
      ref.current?.focus();
      ref.current?.select();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [ref]);
}

function ListSkeleton({ rows = 6 }: { readonly rows?: number }) {
  return (
    <Stack gap={0} aria-hidden>
      {Array.from({ length: rows }, (_unused, index) => (
        <Group key={index} h={ROW_HEIGHT} px="sm" gap="md" wrap="nowrap">
          <Skeleton height={64} width={64} radius="sm" />
          <Stack gap={6} style={{ flex: 1 }}>
            <Skeleton height={14} width="45%" />
            <Skeleton height={10} width="25%" />
          </Stack>
          <Skeleton height={14} width={70} />
        </Group>
      ))}
    </Stack>
  );
}

export function BrowsePage() {
  const { identity } = useShopContext();
  const engine = useEngine();
  const snapshot = useCatalog();
  const stock = useStock();
  const cart = useCart();
  const locale = useLocale();
  const policy = useTenantPolicy();
  const catalogState = useRoomState(roomNames.catalog(identity.tenant));
  const everSynced = useCatalogEverSynced();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const [text, setText] = useState(() => params.get('q') ?? '');
  const [category, setCategory] = useState(() => params.get('category') ?? '');
  const [minText, setMinText] = useState(() => params.get('min') ?? '');
  const [maxText, setMaxText] = useState(() => params.get('max') ?? '');
  const [sort, setSort] = useState<ProductSort>(() => parseSort(params.get('sort')));
  const searchRef = useRef<HTMLInputElement>(null);
  useSlashToFocus(searchRef);

  // The browse state lives in the URL too (back from a product page restores it), written
  // after typing pauses so that a keystroke never waits for a navigation.
  useEffect(() => {
    const timer = setTimeout(() => {
      const next = new URLSearchParams();
      if (text) next.set('q', text);
      if (category) next.set('category', category);
      if (minText) next.set('min', minText);
      if (maxText) next.set('max', maxText);
      if (sort !== 'relevance') next.set('sort', sort);
      setParams(next, { replace: true, preventScrollReset: true });
    }, 400);
    return () => clearTimeout(timer);
  }, [text, category, minText, maxText, sort, setParams]);

  const index = snapshot?.index ?? null;
  const version = snapshot?.version ?? -1;
  const currency: CurrencyCode = policy?.currency ?? index?.mainCurrency() ?? 'USD';
  const min = priceBound(minText, currency);
  const max = priceBound(maxText, currency);
  const categories = useMemo(() => (index && version >= 0 ? index.categories() : []), [index, version]);

  const result = useMemo(() => {
    if (!index || version < 0) return null;
    return index.query({ text, category: category || null, minPrice: min.value, maxPrice: max.value, currency, sort, includeArchived: false });
  }, [index, version, text, category, min.value, max.value, currency, sort]);

  const inCart = useMemo(() => new Map((cart?.lines ?? []).map((line) => [line.productId, line.quantity])), [cart]);

  const add = useCallback(
    (product: Product) => {
      if (!engine || !snapshot) return;
      const added = cartCommands.add(engine, product.id, 1, snapshot.catalog);
      if (added.ok) notify({ message: `Added “${product.title}” to the cart.`, color: 'teal', autoClose: 2500 });
      else notify({ title: 'Not added', message: added.error.message, color: 'red' });
    },
    [engine, snapshot],
  );

  const renderAdd = useCallback((product: Product, level: number | undefined) => <AddToCartButton product={product} level={level} onAdd={add} />, [add]);

  const filtered = text.trim() !== '' || category !== '' || min.value !== null || max.value !== null;
  const clear = () => {
    setText('');
    setCategory('');
    setMinText('');
    setMaxText('');
    searchRef.current?.focus();
  };
  const visibleTotal = useMemo(() => (index && version >= 0 ? index.query({ text: '', category: null, minPrice: null, maxPrice: null, currency, sort: 'newest', includeArchived: false }).items.length : 0), [index, version, currency]);
  const renderedKey = `${text}|${category}|${minText}|${maxText}|${sort}`;
  const known = catalogState === 'synced' || everSynced === true;
  const loading = !snapshot || snapshot.status === 'loading' || everSynced === undefined || (snapshot.index.size === 0 && !known && catalogState !== 'offline' && catalogState !== 'forbidden');

  // Written once the rows for this query are in the DOM (after the list's own layout effects):
  // the shop benchmark times a keystroke to this.
  const resultsRef = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    resultsRef.current?.setAttribute('data-rendered', renderedKey);
  }, [renderedKey, result, loading]);

  const focusFirstRow = () => document.querySelector<HTMLAnchorElement>('[data-row-link="0"]')?.focus();

  let body;
  if (loading) {
    body = (
      <Stack gap="xs">
        <Text c="dimmed" role="status">
          Loading the catalog…
        </Text>
        <ListSkeleton />
      </Stack>
    );
  } else if (visibleTotal === 0) {
    body =
      !known && !identity.isAdmin ? (
        <EmptyState icon={<IconBuildingStore size={32} />} title="The catalog is not on this device yet" description="Connect once to load the shop; after that you can browse it offline." />
      ) : identity.isAdmin ? (
        <EmptyState
          icon={<IconBuildingStore size={32} />}
          title="Your shop is empty"
          description="Add your first product: a title, a price and a picture are enough to start. You can do it offline; it syncs when you are back online."
        >
          <EmptyState.Actions>
            <Button component={Link} to="/shop/manage/new" leftSection={<IconPlus size={16} />}>
              Add your first product
            </Button>
          </EmptyState.Actions>
        </EmptyState>
      ) : (
        <EmptyState icon={<IconBuildingStore size={32} />} title="The shop is empty for now" description="Nothing is for sale yet. Products appear here as soon as the shop adds them." />
      );
  } else if (result && result.items.length === 0) {
    body = (
      <EmptyState icon={<IconSearchOff size={32} />} title="No products match" description={text.trim() ? `Nothing matches “${text.trim()}” with these filters.` : 'No products match these filters.'}>
        <EmptyState.Actions>
          <Button variant="default" onClick={clear}>
            Clear search and filters
          </Button>
        </EmptyState.Actions>
      </EmptyState>
    );
  } else if (result) {
    body = (
      <ProductList
        items={result.items}
        identity={identity}
        stock={stock}
        inCart={inCart}
        locale={locale}
        label="Products"
        action={renderAdd}
        onLeaveTop={() => searchRef.current?.focus()}
      />
    );
  }

  const showControls = loading || visibleTotal > 0;
  return (
    <Stack gap="sm">
      {showControls && (
      <Grid gap="sm" align="flex-end">
        <Grid.Col span={{ base: 12, md: 4 }}>
          <TextInput
            ref={searchRef}
            label="Search products"
            placeholder={visibleTotal > 1 ? `Search ${visibleTotal.toLocaleString(locale)} products` : 'Search products'}
            type="search"
            value={text}
            onChange={(event) => setText(event.currentTarget.value)}
            onKeyDown={(event) => {
              if (event.key === 'ArrowDown') {
                event.preventDefault();
                focusFirstRow();
              } else if (event.key === 'Enter' && result && result.items[0] && text.trim()) {
                event.preventDefault();
                void navigate(`/shop/p/${encodeURIComponent(result.items[0].id)}`);
              } else if (event.key === 'Escape' && text) {
                setText('');
              }
            }}
            leftSection={<IconSearch size={16} />}
            rightSection={snapshot?.status === 'indexing' ? <Loader size={14} aria-label="Preparing search" /> : <Kbd size="xs" aria-hidden>/</Kbd>}
            autoComplete="off"
            spellCheck={false}
            data-testid="shop-search"
          />
        </Grid.Col>
        <Grid.Col span={{ base: 12, sm: 6, md: 2 }}>
          <NativeSelect
            label="Category"
            value={category}
            onChange={(event) => setCategory(event.currentTarget.value)}
            data={[{ value: '', label: 'All categories' }, ...categories.map((option) => ({ value: option.slug, label: `${option.label} (${option.count})` }))]}
          />
        </Grid.Col>
        <Grid.Col span={{ base: 6, sm: 3, md: 2 }}>
          <TextInput label={`Min price (${currency})`} inputMode="decimal" value={minText} onChange={(event) => setMinText(event.currentTarget.value)} error={min.error} placeholder="0" />
        </Grid.Col>
        <Grid.Col span={{ base: 6, sm: 3, md: 2 }}>
          <TextInput label={`Max price (${currency})`} inputMode="decimal" value={maxText} onChange={(event) => setMaxText(event.currentTarget.value)} error={max.error} placeholder="Any" />
        </Grid.Col>
        <Grid.Col span={{ base: 12, sm: 12, md: 2 }}>
          <NativeSelect label="Sort by" value={sort} onChange={(event) => setSort(parseSort(event.currentTarget.value))} data={PRODUCT_SORTS.map((value) => ({ value, label: SORT_LABELS[value] }))} />
        </Grid.Col>
      </Grid>
      )}
      {showControls && (
      <Group justify="space-between" gap="xs" mih={28}>
        <Text size="sm" c="dimmed" aria-live="polite" data-testid="result-count">
          {result && !loading && visibleTotal > 0
            ? `${result.items.length.toLocaleString(locale)} ${result.items.length === 1 ? 'product' : 'products'}${filtered ? ` of ${visibleTotal.toLocaleString(locale)}` : ''}${result.loosened ? ' (matching any of your words)' : ''}`
            : ''}
        </Text>
        {filtered && (
          <Anchor component="button" type="button" size="sm" onClick={clear}>
            Clear search and filters
          </Anchor>
        )}
      </Group>
      )}
      <div ref={resultsRef} data-testid="browse-results">
        {body}
      </div>
    </Stack>
  );
}
