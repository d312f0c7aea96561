/**
 * Reactive reads for the shop screens: each hook is an RxDB query on the projections (stock,
 * cart, orders, intents, settings), `undefined` while loading. The tenant's tax policy comes from
 * the accounts API and is cached in `kv` so that totals and predictions work offline.
 */
import { useEffect, useMemo, useSyncExternalStore } from 'react';
import { map } from 'rxjs';
import { EMPTY_CART, type Cart, type CartLine } from '../../../../../shared/domain/commerce/cart.ts';
import { isCurrencyCode, validateTaxRate, type CurrencyCode } from '../../../../../shared/domain/commerce/currency.ts';
import type { Order } from '../../../../../shared/domain/commerce/order.ts';
import type { StockLevels } from '../../../../../shared/domain/commerce/stock.ts';
import { canManageCommerce, type TenantRole } from '../../../../../shared/domain/commerce/vocab.ts';
import { SHOP_INTENTS } from '../../../../../shared/sync/layouts/shop.ts';
import { roomNames } from '../../../../../shared/sync/rooms.ts';
import type { IntentRecord } from '../../../engine/collections.ts';
import { CART_KV_ID, STOCK_KV_ID } from '../../../engine/projections/shop.ts';
import { SETTINGS_KV_ID } from '../../../engine/projections/user-settings.ts';
import type { ReplicaState } from '../../../engine/room-replica.ts';
import { useOnline } from '../../../app/network.ts';
import { useEngine, useObservable, useRuntime, useSession } from '../../../app/RuntimeContext.tsx';
import type { Identity } from '../../../session/session-manager.ts';
import type { EngineHandle } from '../../../app/runtime.ts';
import { latestOrders, type OrderRecordLike, type OrderSource } from './orders.ts';

export const POLICY_KV_ID = 'shop:tenant-policy';
export const DEFERRED_STOCK_KV_ID = 'shop:deferred-stock';

export interface ShopIdentity {
  readonly tenant: string;
  readonly user: string;
  readonly displayName: string;
  readonly role: TenantRole;
  readonly isAdmin: boolean;
  readonly isGuest: boolean;
  readonly serverUrl: string;
}

/**
 * Who is shopping. The engine is keyed by (server, tenant, user), so it outlives a guest's
 * upgrade to an account (same user id); pass the session's identity to see the current kind and role.
 */
export function shopIdentity(engine: EngineHandle, current?: Identity): ShopIdentity {
  const identity = current && current.user.id === engine.identity.user.id && current.tenant.id === engine.identity.tenant.id ? current : engine.identity;
  return {
    tenant: identity.tenant.id,
    user: identity.user.id,
    displayName: identity.user.displayName,
    role: identity.role,
    isAdmin: canManageCommerce(identity.role),
    isGuest: identity.user.kind === 'guest' || identity.role === 'guest',
    serverUrl: identity.serverUrl,
  };
}

export function useShopIdentity(): ShopIdentity | null {
  const engine = useEngine();
  const session = useSession();
  return engine ? shopIdentity(engine, session.kind === 'signed-in' ? session.identity : undefined) : null;
}

export function useStock(): StockLevels | undefined {
  return useObservable(
    (engine) =>
      engine.db.kv.findOne(STOCK_KV_ID).$.pipe(
        map((doc) => {
          const levels = (doc?.toJSON().data.levels ?? {}) as Record<string, number>;
          return new Map(Object.entries(levels)) as StockLevels;
        }),
      ),
    [],
  );
}

export function useCart(): Cart | undefined {
  return useObservable((engine) => engine.db.kv.findOne(CART_KV_ID).$.pipe(map((doc) => (doc ? { lines: (doc.toJSON().data.lines ?? []) as CartLine[] } : EMPTY_CART))), []);
}

const SHOP_KINDS = Object.values(SHOP_INTENTS);

/** The user's shop intents, newest first: pending ones with their prediction, decided ones with the decision. */
export function useShopIntents(): readonly IntentRecord[] | undefined {
  return useObservable(
    (engine) =>
      engine.db.intents
        .find({ selector: { kind: { $in: SHOP_KINDS } }, sort: [{ createdAt: 'desc' }] })
        .$.pipe(map((docs) => docs.map((doc) => doc.toJSON() as IntentRecord))),
    [],
  );
}

export function useOrders(source: OrderSource): readonly Order[] | undefined {
  return useObservable(
    (engine) => engine.db.orders.find().$.pipe(map((docs) => latestOrders(docs.map((doc) => doc.toJSON() as OrderRecordLike), source))),
    [source],
  );
}

export interface TenantPolicy {
  readonly taxBps: number;
  readonly currency: CurrencyCode;
  readonly fetchedAt: number;
}

/** The tenant's shop policy (tax rate, currency): cached here, refreshed from the server when online. */
export function useTenantPolicy(): TenantPolicy | null | undefined {
  const runtime = useRuntime();
  const engine = useEngine();
  const policy = useObservable(
    (handle) =>
      handle.db.kv.findOne(POLICY_KV_ID).$.pipe(
        map((doc) => {
          const data = doc?.toJSON().data;
          if (!data || !validateTaxRate(data.taxBps).ok || !isCurrencyCode(data.currency)) return null;
          return { taxBps: data.taxBps as number, currency: data.currency, fetchedAt: Number(data.fetchedAt ?? 0) };
        }),
      ),
    [],
  );
  const tenant = engine?.identity.tenant.id ?? null;
  const online = useOnline();
  useEffect(() => {
    // Offline the cached policy is used; asking would only log a failed request.
    if (!engine || tenant === null || !online) return undefined;
    let live = true;
    runtime.session.authed<{ tenant?: { policy?: { taxBps?: unknown; currency?: unknown } } }>('GET', `/api/tenants/${encodeURIComponent(tenant)}`).then(
      async (response) => {
        const taxBps = response.tenant?.policy?.taxBps;
        const currency = response.tenant?.policy?.currency;
        if (!live || !validateTaxRate(taxBps).ok || !isCurrencyCode(currency)) return;
        await engine.db.kv.upsert({ id: POLICY_KV_ID, updatedAt: Date.now(), data: { taxBps, currency, fetchedAt: Date.now() } });
      },
      // Offline or not reachable: the cached policy (if any) stands.
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [runtime, engine, tenant, online]);
  return policy;
}

/** The user's locale for money and dates: their synced setting, else the browser's. */
export function useLocale(): string {
  const settings = useObservable((engine) => engine.db.kv.findOne(SETTINGS_KV_ID).$.pipe(map((doc) => doc?.toJSON().data.locale)), []);
  return typeof settings === 'string' ? settings : typeof navigator === 'undefined' ? 'en-US' : navigator.language;
}

export interface DeferredStock {
  readonly id: string;
  readonly productId: string;
  readonly delta: number;
  readonly reason: string;
  readonly note?: string;
  readonly requestedAt: number;
}

/** Stock changes waiting for their product to reach the server before they are sent. */
export function useDeferredStock(): readonly DeferredStock[] | undefined {
  return useObservable((engine) => engine.db.kv.findOne(DEFERRED_STOCK_KV_ID).$.pipe(map((doc) => (doc?.toJSON().data.items ?? []) as DeferredStock[])), []);
}

/**
 * A room's connection state on this device (`offline`, `connecting`, `synced`, `forbidden`,
 * `update-required`), or null when the room is not open. Follows the engine's status stream.
 */
export function useRoomState(room: string | null): ReplicaState | null {
  const engine = useEngine();
  return useSyncExternalStore(
    (onChange) => {
      if (!engine) return () => undefined;
      const subscription = engine.client.status$.subscribe(() => onChange());
      // The aggregate status can stay put while one room changes: poll lightly as well.
      const timer = setInterval(onChange, 500);
      return () => {
        subscription.unsubscribe();
        clearInterval(timer);
      };
    },
    () => (engine && room ? (engine.client.replica(room)?.state ?? null) : null),
  );
}

export function catalogRoom(identity: ShopIdentity): string {
  return roomNames.catalog(identity.tenant);
}

/** Stock changes not yet decided (in the outbox, or waiting for their product): net delta by product. */
export function usePendingStock(): ReadonlyMap<string, number> {
  const intents = useShopIntents();
  const deferred = useDeferredStock();
  return useMemo(() => {
    const pending = new Map<string, number>();
    const add = (productId: unknown, delta: unknown) => {
      if (typeof productId === 'string' && typeof delta === 'number') pending.set(productId, (pending.get(productId) ?? 0) + delta);
    };
    for (const record of intents ?? []) {
      if (record.kind !== SHOP_INTENTS.adjustStock || record.status !== 'pending') continue;
      const payload = record.payload as { productId?: unknown; delta?: unknown } | null;
      add(payload?.productId, payload?.delta);
    }
    for (const item of deferred ?? []) add(item.productId, item.delta);
    return pending;
  }, [intents, deferred]);
}

export const CATALOG_SYNCED_KV_ID = 'shop:catalog-synced';

/** Whether this device has ever received the catalog from the server (an empty one counts). */
export function useCatalogEverSynced(): boolean | undefined {
  return useObservable((engine) => engine.db.kv.findOne(CATALOG_SYNCED_KV_ID).$.pipe(map((doc) => doc !== null)), []);
}
