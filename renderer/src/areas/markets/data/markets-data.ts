/**
 * Reactive reads for the markets screens: each hook is an RxDB query on the markets projections
 * (renderer/src/engine/projections/markets.ts), `undefined` while loading. The tenant's starting
 * grant comes from the accounts API and is cached in `kv`, so that a member whose markets account
 * is not opened yet (it opens with their first markets intent) can preview trades offline.
 */
import { useEffect } from 'react';
import { map } from 'rxjs';
import type { Role } from '../../../../../shared/domain/markets/index.ts';
import type { MarketSummary, TradeRecord } from '../../../../../shared/sync/layouts/markets.ts';
import { isTenantAdmin, type Role as TenantRole } from '../../../../../shared/sync/rooms.ts';
import type { IntentRecord } from '../../../engine/collections.ts';
import { type MarketDetail, marketDetailId, type MarketsMe, MARKETS_ME_ID, type MarketsStandings, marketsStandingsId } from '../../../engine/projections/markets.ts';
import { useOnline } from '../../../app/network.ts';
import type { EngineHandle } from '../../../app/runtime.ts';
import { useEngine, useObservable, useRuntime, useSession } from '../../../app/RuntimeContext.tsx';
import { MARKET_INTENT_KINDS } from '../model/intents.ts';

export const MARKETS_POLICY_KV_ID = 'markets:tenant-policy';
const DETAIL_SUFFIX = '/detail';

export interface MarketsIdentity {
  readonly tenant: string;
  readonly user: string;
  readonly displayName: string;
  /** The domain's role: tenant owners and admins are `admin`, guests `null`. */
  readonly role: Role | null;
  readonly isAdmin: boolean;
  readonly isGuest: boolean;
}

export function domainRole(role: TenantRole, guestUser: boolean): Role | null {
  if (guestUser || role === 'guest') return null;
  return isTenantAdmin(role) ? 'admin' : 'member';
}

/** Who is trading: the session's identity when it is this engine's user (roles change), else the engine's. */
export function marketsIdentity(engine: EngineHandle, current?: EngineHandle['identity']): MarketsIdentity {
  const identity = current && current.user.id === engine.identity.user.id && current.tenant.id === engine.identity.tenant.id ? current : engine.identity;
  const guest = identity.user.kind === 'guest';
  const role = domainRole(identity.role, guest);
  return { tenant: identity.tenant.id, user: identity.user.id, displayName: identity.user.displayName, role, isAdmin: role === 'admin', isGuest: role === null };
}

export function useMarketsIdentity(): MarketsIdentity | null {
  const engine = useEngine();
  const session = useSession();
  return engine ? marketsIdentity(engine, session.kind === 'signed-in' ? session.identity : undefined) : null;
}

/** Every market of the directory (not the per-market detail records that share the collection). */
export function useMarketSummaries(): readonly MarketSummary[] | undefined {
  return useObservable(
    (engine) =>
      engine.db.markets.find().$.pipe(
        map((docs) => docs.filter((doc) => !doc.get('id').endsWith(DETAIL_SUFFIX)).map((doc) => doc.toJSON().data as unknown as MarketSummary)),
      ),
    [],
  );
}

export function useMarketSummary(marketId: string): MarketSummary | null | undefined {
  return useObservable((engine) => engine.db.markets.findOne(marketId).$.pipe(map((doc) => (doc ? (doc.toJSON().data as unknown as MarketSummary) : null))), [marketId]);
}

/** One market from its own room (open it with `useRooms([roomNames.market(t, id)])`). */
export function useMarketDetail(marketId: string): MarketDetail | null | undefined {
  return useObservable((engine) => engine.db.markets.findOne(marketDetailId(marketId)).$.pipe(map((doc) => (doc ? (doc.toJSON().data as unknown as MarketDetail) : null))), [marketId]);
}

/** The trades of one market on this device (the room's recent tail plus month rooms opened), newest first. */
export function useMarketTrades(marketId: string): readonly TradeRecord[] | undefined {
  return useObservable(
    (engine) =>
      engine.db.trades
        .find({ selector: { market: marketId } as never })
        .$.pipe(map((docs) => docs.map((doc) => doc.toJSON().data as unknown as TradeRecord).sort((a, b) => b.seq - a.seq))),
    [marketId],
  );
}

export function useMarketsMe(): MarketsMe | null | undefined {
  return useObservable((engine) => engine.db.kv.findOne(MARKETS_ME_ID).$.pipe(map((doc) => (doc ? (doc.toJSON().data as unknown as MarketsMe) : null))), []);
}

export function useStandings(tenant: string): MarketsStandings | null | undefined {
  return useObservable((engine) => engine.db.kv.findOne(marketsStandingsId(tenant)).$.pipe(map((doc) => (doc ? (doc.toJSON().data as unknown as MarketsStandings) : null))), [tenant]);
}

/** This user's markets intents, newest first: pending ones with their prediction, decided ones with the decision. */
export function useMarketIntents(): readonly IntentRecord[] | undefined {
  return useObservable(
    (engine) =>
      engine.db.intents
        .find({ selector: { kind: { $in: [...MARKET_INTENT_KINDS] } }, sort: [{ createdAt: 'desc' }] })
        .$.pipe(map((docs) => docs.map((doc) => doc.toJSON() as IntentRecord))),
    [],
  );
}

/**
 * The tenant's starting grant in minor units (what a member's markets account opens with), from
 * this device's cache; refreshed from the server when online. null when never fetched.
 */
export function useStartingGrant(): number | null | undefined {
  const runtime = useRuntime();
  const engine = useEngine();
  const online = useOnline();
  const grant = useObservable(
    (handle) =>
      handle.db.kv.findOne(MARKETS_POLICY_KV_ID).$.pipe(
        map((doc) => {
          const value = doc?.toJSON().data.startingGrant;
          return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : null;
        }),
      ),
    [],
  );
  const tenant = engine?.identity.tenant.id ?? null;
  useEffect(() => {
    if (!engine || tenant === null || !online) return undefined;
    let live = true;
    runtime.session.authed<{ tenant?: { policy?: { startingGrant?: unknown } } }>('GET', `/api/tenants/${encodeURIComponent(tenant)}`).then(
      async (response) => {
        const startingGrant = response.tenant?.policy?.startingGrant;
        if (!live || typeof startingGrant !== 'number' || !Number.isSafeInteger(startingGrant) || startingGrant < 0) return;
        await engine.db.kv.upsert({ id: MARKETS_POLICY_KV_ID, updatedAt: Date.now(), data: { startingGrant, fetchedAt: Date.now() } });
      },
      // Offline, signed out as a guest, or not reachable: the cached value (if any) stands.
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [runtime, engine, tenant, online]);
  return grant;
}

/**
 * What the referee will take as this member's balance: their account's, or, before the account
 * opens with the first markets intent, the starting grant it opens with.
 */
export function effectiveBalance(me: MarketsMe | null | undefined, startingGrant: number | null | undefined): number | null {
  if (me?.opened) return me.balance;
  return typeof startingGrant === 'number' ? startingGrant : null;
}
