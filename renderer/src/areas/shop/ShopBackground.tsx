/**
 * Shop work that must happen whichever screen is showing (mounted once by the app):
 * - after a checkout is accepted, the lines it bought leave the cart (on every device, idempotent);
 * - stock changes waiting for their new product to reach the server are sent once it has;
 * - admins keep the catalog room open so that offline edits sync as soon as the app is online;
 * - a decision arriving for something sent from this device is announced.
 */
import { useEffect, useRef } from 'react';
import { formatMoney } from '../../../../shared/domain/commerce/currency.ts';
import { SHOP_INTENTS } from '../../../../shared/sync/layouts/shop.ts';
import { roomNames } from '../../../../shared/sync/rooms.ts';
import type { IntentRecord } from '../../engine/collections.ts';
import { useEngine } from '../../app/RuntimeContext.tsx';
import type { EngineHandle } from '../../app/runtime.ts';
import { useRooms } from '../../app/useRooms.ts';
import { notify } from './components.tsx';
import { cartCommands, currentCart, flushDeferredStock } from './data/commands.ts';
import { checkoutReceipt, decisionOf, linesBoughtBy } from './data/intents.ts';
import { useCart, useDeferredStock, useLocale, useShopIdentity, useShopIntents, useStock } from './data/shop-data.ts';

const ANNOUNCE: Readonly<Record<string, (record: IntentRecord, locale: string) => { title: string; message: string; color: string }>> = {
  [SHOP_INTENTS.checkout]: (record, locale) => {
    const receipt = checkoutReceipt(record);
    return receipt
      ? { title: `Order ${receipt.number} placed`, message: `Total ${formatMoney(receipt.total, receipt.currency, locale)}.`, color: 'teal' }
      : { title: 'Order refused', message: decisionOf(record)?.message ?? 'The shop could not accept it; see your cart.', color: 'red' };
  },
  [SHOP_INTENTS.adjustStock]: (record) =>
    record.status === 'accepted' ? { title: 'Stock updated', message: 'The shop confirmed the stock change.', color: 'teal' } : { title: 'Stock change refused', message: decisionOf(record)?.message ?? '', color: 'red' },
  [SHOP_INTENTS.setOrderStatus]: (record) =>
    record.status === 'accepted' ? { title: 'Order updated', message: 'The shop confirmed the order’s new status.', color: 'teal' } : { title: 'Order change refused', message: decisionOf(record)?.message ?? '', color: 'red' },
};

function Worker({ engine, isAdmin }: { readonly engine: EngineHandle; readonly isAdmin: boolean }) {
  useRooms(isAdmin ? [roomNames.catalog(engine.identity.tenant.id)] : []);
  const intents = useShopIntents();
  const cart = useCart();
  const stock = useStock();
  const deferred = useDeferredStock();
  const locale = useLocale();
  const seen = useRef<Map<string, IntentRecord['status']> | null>(null);

  useEffect(() => {
    if (!intents || !cart) return;
    const current = currentCart(engine);
    const bought = new Set(intents.filter((record) => record.kind === SHOP_INTENTS.checkout && record.status === 'accepted').flatMap((record) => linesBoughtBy(current, record)));
    if (bought.size > 0) cartCommands.removeLines(engine, [...bought]);
  }, [engine, intents, cart]);

  useEffect(() => {
    if (!intents) return;
    const previous = seen.current;
    seen.current = new Map(intents.map((record) => [record.id, record.status]));
    if (previous === null) return;
    for (const record of intents) {
      if (previous.get(record.id) !== 'pending' || record.status === 'pending') continue;
      const announce = ANNOUNCE[record.kind];
      if (announce) notify({ ...announce(record, locale), autoClose: 6000 });
    }
  }, [intents, locale]);

  useEffect(() => {
    if (!deferred || deferred.length === 0 || !stock) return undefined;
    const flush = () => void flushDeferredStock(engine, stock).catch((error: unknown) => console.warn('[plaza] could not send a stock change yet', error));
    const subscription = engine.client.status$.subscribe(flush);
    const timer = setInterval(flush, 1000);
    return () => {
      subscription.unsubscribe();
      clearInterval(timer);
    };
  }, [engine, deferred, stock]);

  return null;
}

export function ShopBackground() {
  const engine = useEngine();
  const identity = useShopIdentity();
  if (!engine || !identity) return null;
  return <Worker key={engine.key} engine={engine} isAdmin={identity.isAdmin} />;
}
