/**
 * One product: its pictures, price, stock, description (plain text; a description is untrusted
 * and never becomes HTML), and how many to put in the cart. Admins get edit, stock and archive.
 */
import { Alert, Anchor, Badge, Button, Grid, Group, NumberInput, Skeleton, Stack, Text, Title, UnstyledButton, EmptyState } from '@mantine/core';
import { IconArchive, IconArrowLeft, IconEdit, IconPackageOff, IconShoppingCartPlus, IconStack2 } from '@tabler/icons-react';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { LIMITS } from '../../../../shared/domain/commerce/vocab.ts';
import { useEngine } from '../../app/RuntimeContext.tsx';
import { StockAdjustModal } from './admin/StockAdjustModal.tsx';
import { notify, Price, ProductPicture, StockBadge } from './components.tsx';
import { useCatalog } from './data/catalog-store.ts';
import { cartCommands, setArchived } from './data/commands.ts';
import { useCart, useLocale, usePendingStock, useStock } from './data/shop-data.ts';
import { useShopContext } from './ShopLayout.tsx';

export function ProductPage() {
  const { productId = '' } = useParams();
  const { identity } = useShopContext();
  const engine = useEngine();
  const snapshot = useCatalog();
  const stock = useStock();
  const cart = useCart();
  const locale = useLocale();
  const pendingStock = usePendingStock();
  const [quantity, setQuantity] = useState<number | string>(1);
  const [picture, setPicture] = useState(0);
  const [adjusting, setAdjusting] = useState(false);
  const product = snapshot?.catalog.get(productId);

  const back = (
    <Anchor component={Link} to="/shop" size="sm">
      <Group gap={4} component="span">
        <IconArrowLeft size={14} aria-hidden /> Back to the shop
      </Group>
    </Anchor>
  );

  if (!snapshot || snapshot.status === 'loading') {
    return (
      <Stack gap="md" aria-busy>
        {back}
        <Grid>
          <Grid.Col span={{ base: 12, sm: 5 }}>
            <Skeleton height={320} />
          </Grid.Col>
          <Grid.Col span={{ base: 12, sm: 7 }}>
            <Stack>
              <Skeleton height={28} width="60%" />
              <Skeleton height={20} width="20%" />
              <Skeleton height={80} />
            </Stack>
          </Grid.Col>
        </Grid>
      </Stack>
    );
  }
  if (!product || (product.status === 'archived' && !identity.isAdmin && !cart?.lines.some((line) => line.productId === productId))) {
    return (
      <Stack gap="md">
        {back}
        <EmptyState icon={<IconPackageOff size={32} />} title="This product is not in the shop" description="It may have been removed, or the link is wrong. The shop has plenty of other things." />
      </Stack>
    );
  }

  const level = stock ? (stock.get(product.id) ?? 0) : undefined;
  const inCart = cart?.lines.find((line) => line.productId === product.id)?.quantity ?? 0;
  const wanted = typeof quantity === 'number' ? quantity : 1;
  const archived = product.status === 'archived';
  const image = product.images[picture] ?? product.images[0];

  const add = () => {
    if (!engine) return;
    const result = cartCommands.add(engine, product.id, wanted, snapshot.catalog);
    if (result.ok) notify({ message: `Added ${wanted} × “${product.title}” to the cart.`, color: 'teal', autoClose: 2500 });
    else notify({ title: 'Not added', message: result.error.message, color: 'red' });
  };
  const archive = () => {
    if (!engine) return;
    const result = setArchived(engine, product, !archived);
    if (!result.ok) notify({ title: 'Not saved', message: result.error.message, color: 'red' });
  };

  return (
    <Stack gap="md">
      {back}
      <Grid gap="xl">
        <Grid.Col span={{ base: 12, sm: 5 }}>
          <Stack gap="xs">
            <ProductPicture image={image} identity={identity} size="100%" alt={product.images.length > 0 ? `Picture of ${product.title}` : ''} radius="md" />
            {product.images.length > 1 && (
              <Group gap="xs" role="group" aria-label="Pictures">
                {product.images.map((item, index) => (
                  <UnstyledButton key={item.hash} onClick={() => setPicture(index)} aria-label={`Show picture ${index + 1} of ${product.images.length}`} aria-pressed={index === picture}>
                    <ProductPicture image={item} identity={identity} size={56} />
                  </UnstyledButton>
                ))}
              </Group>
            )}
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, sm: 7 }}>
          <Stack gap="sm">
            <Group gap="xs">
              <Badge variant="outline">{product.category}</Badge>
              {archived && (
                <Badge variant="default">
                  No longer sold
                </Badge>
              )}
            </Group>
            <Title order={3} size="h2" style={{ overflowWrap: 'anywhere' }}>
              {product.title}
            </Title>
            <Group gap="md" align="center">
              <Price money={product.price} locale={locale} size="xl" fw={700} />
              <StockBadge level={level} pending={identity.isAdmin ? pendingStock.get(product.id) : undefined} />
            </Group>
            {!archived && (
              <Group align="flex-end" gap="sm">
                <NumberInput label="Quantity" value={quantity} onChange={setQuantity} min={1} max={Math.min(LIMITS.maxLineQuantity, Math.max(1, level ?? LIMITS.maxLineQuantity))} allowDecimal={false} allowNegative={false} w={110} />
                <Button leftSection={<IconShoppingCartPlus size={18} />} onClick={add} disabled={level === 0}>
                  {level === 0 ? 'Sold out' : 'Add to cart'}
                </Button>
              </Group>
            )}
            {inCart > 0 && (
              <Text size="sm">
                {inCart} in your cart · <Anchor component={Link} to="/shop/cart">Go to the cart</Anchor>
              </Text>
            )}
            {archived && (
              <Alert color="gray" variant="light">
                This product is no longer sold{inCart > 0 ? '; remove it from your cart before checking out' : ''}.
              </Alert>
            )}
            {product.tags.length > 0 && (
              <Group gap={6} aria-label="Tags">
                {product.tags.map((tag) => (
                  <Badge key={tag} variant="default" size="sm">
                    {tag}
                  </Badge>
                ))}
              </Group>
            )}
            {product.description ? (
              <Text style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }} data-testid="product-description">
                {product.description}
              </Text>
            ) : (
              <Text c="dimmed">No description yet.</Text>
            )}
            {identity.isAdmin && (
              <Group gap="xs" mt="sm">
                <Button variant="default" component={Link} to={`/shop/manage/${encodeURIComponent(product.id)}`} leftSection={<IconEdit size={16} />}>
                  Edit
                </Button>
                <Button variant="default" onClick={() => setAdjusting(true)} leftSection={<IconStack2 size={16} />}>
                  Adjust stock
                </Button>
                <Button variant="default" onClick={archive} leftSection={<IconArchive size={16} />}>
                  {archived ? 'Sell again' : 'Archive'}
                </Button>
              </Group>
            )}
          </Stack>
        </Grid.Col>
      </Grid>
      {identity.isAdmin && <StockAdjustModal product={adjusting ? product : null} stock={stock} pending={pendingStock.get(product.id) ?? 0} onClose={() => setAdjusting(false)} />}
    </Stack>
  );
}
