/**
 * Admins: every product (archived ones too) with its stock, a search over the same index as the
 * shop, and per product edit, stock adjustment and archive. Products that another client wrote
 * in breach of the rules are hidden everywhere; this page lists them so that an admin can act.
 */
import { ActionIcon, Alert, Button, Group, List, Menu, SegmentedControl, Stack, Text, TextInput, Title, Tooltip, EmptyState } from '@mantine/core';
import { IconArchive, IconArchiveOff, IconDots, IconEdit, IconPackage, IconPlus, IconSearch, IconShieldExclamation, IconStack2 } from '@tabler/icons-react';
import { useMemo, useRef, useState } from 'react';
import { Link } from 'react-router';
import type { Product } from '../../../../../shared/domain/commerce/product.ts';
import { roomNames } from '../../../../../shared/sync/rooms.ts';
import { useEngine, useSubject } from '../../../app/RuntimeContext.tsx';
import type { EngineHandle } from '../../../app/runtime.ts';
import { LoadingBlock, notify, StockBadge } from '../components.tsx';
import { useCatalog } from '../data/catalog-store.ts';
import { setArchived } from '../data/commands.ts';
import { useLocale, usePendingStock, useStock } from '../data/shop-data.ts';
import { ProductList } from '../ProductList.tsx';
import { useShopContext } from '../ShopLayout.tsx';
import { useSlashToFocus } from '../BrowsePage.tsx';
import { StockAdjustModal } from './StockAdjustModal.tsx';

type Tab = 'active' | 'archived' | 'all';

function HiddenProducts({ engine, tenant }: { readonly engine: EngineHandle; readonly tenant: string }) {
  const hidden = useSubject(engine.client.hidden$);
  const catalog = roomNames.catalog(tenant);
  const mine = hidden.filter((record) => record.room === catalog);
  if (mine.length === 0) return null;
  return (
    <Alert color="red" variant="light" icon={<IconShieldExclamation size={18} />} title={`${mine.length} ${mine.length === 1 ? 'product breaks' : 'products break'} the shop’s rules and ${mine.length === 1 ? 'is' : 'are'} hidden`} data-testid="hidden-products">
      <Text size="sm">Another client wrote these into the catalog. Nobody sees them; editing the product with that id, or asking the server operator, replaces them.</Text>
      <List size="sm" mt="xs">
        {mine.slice(0, 10).map((record) => (
          <List.Item key={record.key}>
            <Text span ff="monospace" size="sm">
              {record.key.slice(0, 64)}
            </Text>
            : {record.message.slice(0, 200)}
          </List.Item>
        ))}
      </List>
    </Alert>
  );
}

export function ManageProductsPage() {
  const { identity } = useShopContext();
  const engine = useEngine();
  const snapshot = useCatalog();
  const stock = useStock();
  const locale = useLocale();
  const pendingStock = usePendingStock();
  const [tab, setTab] = useState<Tab>('active');
  const [text, setText] = useState('');
  const [adjusting, setAdjusting] = useState<Product | null>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  useSlashToFocus(searchRef);
  const index = snapshot?.index ?? null;
  const version = snapshot?.version ?? -1;
  const items = useMemo(() => {
    if (!index || version < 0) return [];
    return index.query({ text, category: null, minPrice: null, maxPrice: null, currency: null, sort: text ? 'relevance' : 'title', includeArchived: tab !== 'active', onlyArchived: tab === 'archived' }).items;
  }, [index, version, text, tab]);

  if (!identity.isAdmin || !engine) {
    return <EmptyState icon={<IconPackage size={32} />} title="For shop admins" description="Only the shop owner and admins manage products." />;
  }
  if (!snapshot || snapshot.status === 'loading') return <LoadingBlock label="Loading products…" />;

  const toggleArchive = (product: Product) => {
    const result = setArchived(engine, product, product.status !== 'archived');
    if (!result.ok) notify({ title: 'Not saved', message: result.error.message, color: 'red' });
    else notify({ message: result.value.status === 'archived' ? `“${product.title}” is archived: shoppers no longer see it.` : `“${product.title}” is for sale again.`, color: 'teal' });
  };

  return (
    <Stack gap="md">
      <Group justify="space-between" wrap="wrap">
        <Title order={3}>Products</Title>
        <Button component={Link} to="/shop/manage/new" leftSection={<IconPlus size={16} />}>
          Add product
        </Button>
      </Group>
      <HiddenProducts engine={engine} tenant={identity.tenant} />
      {snapshot.index.size === 0 ? (
        <EmptyState
          icon={<IconPackage size={32} />}
          title="No products yet"
          description="Add the first one: title, price, category and a picture. You can add products offline; they reach the shop when you are back online."
        >
          <EmptyState.Actions>
            <Button component={Link} to="/shop/manage/new" leftSection={<IconPlus size={16} />}>
              Add your first product
            </Button>
          </EmptyState.Actions>
        </EmptyState>
      ) : (
        <>
          <Group gap="sm" align="flex-end" wrap="wrap">
            <TextInput ref={searchRef} label="Search products" placeholder="Title, tag, category" leftSection={<IconSearch size={16} />} value={text} onChange={(event) => setText(event.currentTarget.value)} style={{ flex: 1, minWidth: 220 }} />
            <SegmentedControl
              aria-label="Which products"
              value={tab}
              onChange={(value) => setTab(value as Tab)}
              data={[
                { value: 'active', label: 'For sale' },
                { value: 'archived', label: 'Archived' },
                { value: 'all', label: 'All' },
              ]}
            />
          </Group>
          <Text size="sm" c="dimmed" aria-live="polite">
            {items.length.toLocaleString(locale)} {items.length === 1 ? 'product' : 'products'}
          </Text>
          {items.length === 0 ? (
            <Text c="dimmed">No products here{text ? ` match “${text}”` : ''}.</Text>
          ) : (
            <ProductList
              items={items}
              identity={identity}
              stock={stock}
              inCart={new Map()}
              locale={locale}
              label="Products to manage"
              hrefOf={(product) => `/shop/manage/${encodeURIComponent(product.id)}`}
              extra={(product) => (
                <Group gap={6} wrap="nowrap">
                  {product.status === 'archived' && (
                    <Text size="xs" c="dimmed">
                      Archived
                    </Text>
                  )}
                  <StockBadge level={stock ? (stock.get(product.id) ?? 0) : undefined} pending={pendingStock.get(product.id)} />
                  <Text size="sm" c="dimmed" style={{ fontVariantNumeric: 'tabular-nums' }} w={60} ta="right" aria-label={`${stock?.get(product.id) ?? 0} on hand`}>
                    {stock?.get(product.id) ?? 0}
                  </Text>
                </Group>
              )}
              action={(product) => (
                <Group gap={4} wrap="nowrap">
                  <Tooltip label="Adjust stock">
                    <ActionIcon variant="default" size="lg" aria-label={`Adjust stock of ${product.title}`} onClick={() => setAdjusting(product)}>
                      <IconStack2 size={16} />
                    </ActionIcon>
                  </Tooltip>
                  <Menu position="bottom-end" withinPortal>
                    <Menu.Target>
                      <ActionIcon variant="default" size="lg" aria-label={`More actions for ${product.title}`}>
                        <IconDots size={16} />
                      </ActionIcon>
                    </Menu.Target>
                    <Menu.Dropdown>
                      <Menu.Item component={Link} to={`/shop/manage/${encodeURIComponent(product.id)}`} leftSection={<IconEdit size={14} />}>
                        Edit
                      </Menu.Item>
                      <Menu.Item leftSection={product.status === 'archived' ? <IconArchiveOff size={14} /> : <IconArchive size={14} />} onClick={() => toggleArchive(product)}>
                        {product.status === 'archived' ? 'Sell again' : 'Archive'}
                      </Menu.Item>
                    </Menu.Dropdown>
                  </Menu>
                </Group>
              )}
            />
          )}
        </>
      )}
      <StockAdjustModal product={adjusting} stock={stock} pending={adjusting ? (pendingStock.get(adjusting.id) ?? 0) : 0} onClose={() => setAdjusting(null)} />
    </Stack>
  );
}
