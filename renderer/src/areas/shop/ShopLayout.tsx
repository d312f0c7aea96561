/**
 * The shop area's frame: who is shopping (a welcome for nobody yet, a loader while the session
 * and the local database open), the rooms every shop screen needs kept open (catalog, stock),
 * the shop's own navigation, and the notices that apply to every screen.
 */
import { Alert, Badge, Button, Card, Group, Stack, Text, ThemeIcon, Title, VisuallyHidden } from '@mantine/core';
import { IconAlertTriangle, IconBuildingStore, IconClipboardList, IconLayoutKanban, IconPackage, IconShoppingCart, IconUserPlus } from '@tabler/icons-react';
import { useEffect, useState, type ComponentType } from 'react';
import { Link, NavLink, Outlet, useOutletContext } from 'react-router';
import { roomNames } from '../../../../shared/sync/rooms.ts';
import { useEngine, useRuntime, useSession } from '../../app/RuntimeContext.tsx';
import { useRooms } from '../../app/useRooms.ts';
import { describeError } from '../account/SignInPanel.tsx';
import { ACCESSIBLE_ERROR_COLOR, LoadingBlock, OfflineNotice } from './components.tsx';
import { CATALOG_SYNCED_KV_ID, shopIdentity, useCart, useRoomState, type ShopIdentity } from './data/shop-data.ts';

export interface ShopContext {
  readonly identity: ShopIdentity;
  /** The catalog and stock rooms are loaded on this device (maybe not yet synced). */
  readonly roomsReady: boolean;
}

export function useShopContext(): ShopContext {
  return useOutletContext<ShopContext>();
}

function ShopNavLink({ to, label, icon: Icon, end, badge, badgeUnit }: { readonly to: string; readonly label: string; readonly icon: ComponentType<{ size?: number }>; readonly end?: boolean; readonly badge?: number; readonly badgeUnit?: string }) {
  return (
    <NavLink to={to} end={end} style={{ textDecoration: 'none' }}>
      {({ isActive }) => (
        <Button
          component="span"
          variant={isActive ? 'filled' : 'subtle'}
          size="sm"
          leftSection={<Icon size={16} />}
          rightSection={
            badge ? (
              <Badge size="sm" circle variant={isActive ? 'white' : 'filled'} data-testid="cart-count">
                {badge}
                {badgeUnit && <VisuallyHidden> {badgeUnit}</VisuallyHidden>}
              </Badge>
            ) : undefined
          }
        >
          {label}
        </Button>
      )}
    </NavLink>
  );
}

function ShopNav({ identity }: { readonly identity: ShopIdentity }) {
  const cart = useCart();
  const units = cart?.lines.reduce((sum, line) => sum + line.quantity, 0) ?? 0;
  return (
    <Group gap="xs" component="nav" aria-label="Shop" wrap="wrap">
      <ShopNavLink to="/shop" end label="Browse" icon={IconBuildingStore} />
      <ShopNavLink to="/shop/cart" label="Cart" icon={IconShoppingCart} badge={units} badgeUnit={units === 1 ? 'item' : 'items'} />
      {!identity.isGuest && <ShopNavLink to="/shop/orders" label="My orders" icon={IconClipboardList} />}
      {identity.isAdmin && <ShopNavLink to="/shop/manage" label="Products" icon={IconPackage} />}
      {identity.isAdmin && <ShopNavLink to="/shop/board" label="Order board" icon={IconLayoutKanban} />}
    </Group>
  );
}

/** Nobody is signed in on this device: browse as a guest in one click, or sign in. */
function ShopWelcome({ notice }: { readonly notice: string | undefined }) {
  const { session } = useRuntime();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const start = async () => {
    setBusy(true);
    setError(null);
    try {
      await session.startGuest();
    } catch (cause) {
      setError(describeError(cause));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Stack maw={720} gap="lg">
      <Title order={2}>Shop</Title>
      {notice && (
        <Alert color="yellow" variant="light">
          {notice}
        </Alert>
      )}
      <Card withBorder padding="lg">
        <Stack gap="sm">
          <ThemeIcon size="xl" variant="light" aria-hidden>
            <IconBuildingStore size={24} />
          </ThemeIcon>
          <Title order={3} size="h4">
            Browse the shop
          </Title>
          <Text>Search the catalog, fill a cart that follows you to your other devices, and check out against live stock. No account needed to look around.</Text>
          {error && (
            <Alert color="red" variant="light" role="alert">
              {error}
            </Alert>
          )}
          <Group>
            <Button leftSection={<IconUserPlus size={18} />} loading={busy} onClick={() => void start()}>
              Browse as guest
            </Button>
            <Button variant="default" component={Link} to="/account">
              Sign in
            </Button>
          </Group>
        </Stack>
      </Card>
    </Stack>
  );
}

function ShopFrame({ identity }: { readonly identity: ShopIdentity }) {
  const catalog = roomNames.catalog(identity.tenant);
  const rooms = useRooms([catalog, roomNames.stock(identity.tenant)]);
  const catalogState = useRoomState(catalog);
  const engine = useEngine();
  useEffect(() => {
    // Remembered so that an empty catalog offline reads "empty", not "not loaded yet".
    if (catalogState === 'synced' && engine) void engine.db.kv.upsert({ id: CATALOG_SYNCED_KV_ID, updatedAt: Date.now(), data: { at: Date.now() } });
  }, [catalogState, engine]);
  const context: ShopContext = { identity, roomsReady: rooms.ready };
  return (
    <Stack gap="md" maw={1200} style={ACCESSIBLE_ERROR_COLOR}>
      <Group justify="space-between" align="center" wrap="wrap" gap="sm">
        <Title order={2}>Shop</Title>
        <ShopNav identity={identity} />
      </Group>
      <OfflineNotice />
      {rooms.error && (
        <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} title="The shop could not be opened" role="alert">
          {rooms.error}. Reload the page; if it keeps happening, sign out and in again.
        </Alert>
      )}
      {catalogState === 'forbidden' && (
        <Alert color="yellow" variant="light" title="This shop is for members" role="alert">
          This community does not let guests browse its shop. <Link to="/account">Sign in or create an account</Link> to see it.
        </Alert>
      )}
      {catalogState === 'update-required' && (
        <Alert color="yellow" variant="light" title="Update Plaza" role="alert">
          The shop was changed by a newer version of Plaza. Update the app to keep shopping.
        </Alert>
      )}
      <Outlet context={context} />
    </Stack>
  );
}

export function ShopLayout() {
  const session = useSession();
  const engine = useEngine();
  if (session.kind === 'signed-out') return <ShopWelcome notice={session.notice} />;
  if (session.kind === 'loading' || !engine) {
    return (
      <Stack maw={1200} gap="md">
        <Title order={2}>Shop</Title>
        <LoadingBlock label="Opening the shop…" />
      </Stack>
    );
  }
  return <ShopFrame key={engine.key} identity={shopIdentity(engine, session.identity)} />;
}
