/**
 * The markets referee: play-money prediction markets (LMSR, shared/domain/markets) decided on
 * the server, exactly once, in arrival order per tenant. Room layouts and intent payloads are in
 * shared/sync/layouts/markets.ts.
 *
 * - `roomsFor` names what a decision touches: the directory, the leaderboard, the market, the
 *   trades room of the current month (where the tail overflows to) and, to resolve, the inbox of
 *   every holder and of the creator (the author's inbox is always loaded).
 * - `decide` is synchronous: create / trade / resolve / correct, each writing the rooms, the
 *   members' accounts and the ledger rows of the same decision.
 * - Deadlines: `close` marks a market closed at its close time (the domain refuses trades after
 *   it by the clock anyway); `archive` moves trades of months not loaded at trade time;
 *   `directory` writes a market's directory line after a burst of trades (see DirectoryThrottle).
 */
import * as Y from 'yjs';
import { z } from 'zod';
import { INBOX_ACCOUNT_KEY, INBOX_MARKETS, MARKET_INTENTS, MARKET_LIMITS_SYNC, MARKET_MAP, MARKET_POSITIONS, MARKET_STATE_KEY } from '../../../../shared/sync/layouts/markets.ts';
import type { IntentEnvelope } from '../../../../shared/sync/intents.ts';
import { monthKey, roomNames } from '../../../../shared/sync/rooms.ts';
import type { Directory } from '../../auth/directory.ts';
import type { ServerConfig } from '../../config.ts';
import type { Author, DecideContext, Deadline, Outcome, Referee } from '../../intents/referee.ts';
import type { Logger } from '../../log.ts';
import type { Store } from '../../store/types.ts';
import { type Actor, CLOSE_DEADLINE, domainRole, type MarketsSettings } from './common.ts';
import { decideCreate } from './create.ts';
import { ARCHIVE_DEADLINE, archiveTrades, DIRECTORY_DEADLINE, DirectoryThrottle, loadMarket, writeDirectoryLine, writeMarket } from './market-room.ts';
import { decideResolution } from './resolve.ts';
import { decideTradeIntent } from './trade.ts';

export type { MarketsSettings } from './common.ts';

export interface MarketsRefereeOptions {
  readonly config: Pick<ServerConfig, 'marketsCorrectionWindowMs' | 'marketsTradeTtlMs'>;
  readonly store: Store;
  readonly directory: Directory;
  readonly logger: Logger;
  readonly now: () => number;
}

const marketRef = z.object({ market: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) });
/** The payload of `close` and `directory` deadlines. */
const closePayload = z.strictObject({ market: z.string() });
const archivePayload = z.strictObject({ market: z.string(), months: z.array(z.string().regex(/^\d{4}-\d{2}$/)).max(120) });

export const MARKETS_REFEREE = 'markets';

export function createMarketsReferee(options: MarketsRefereeOptions): Referee {
  const settings: MarketsSettings = { correctionWindowMs: options.config.marketsCorrectionWindowMs, tradeTtlMs: options.config.marketsTradeTtlMs };
  /** Starting grant per tenant, read (async) in roomsFor for the synchronous decide right after. */
  const grants = new Map<string, number>();
  /**
   * Holders (and the creator) per market room, kept from decisions so that resolving does not
   * read the store. A superset of the stored holders: a failed commit leaves an extra name at
   * worst, which only loads one inbox too many. Missing (after a restart): read from the store.
   */
  const holders = new Map<string, Set<string>>();
  /**
   * Members whose account was already stored when one of their intents was decided: their
   * trades need not load the leaderboard (only a new account or a resolution writes a row).
   */
  const opened = new Set<string>();
  const throttle = new DirectoryThrottle(MARKET_LIMITS_SYNC.directoryRefreshMs);

  async function storedHolders(room: string): Promise<Set<string>> {
    const known = holders.get(room);
    if (known) return known;
    const stored = await options.store.rooms.load(room);
    const doc = new Y.Doc();
    try {
      for (const update of [stored.snapshot, ...stored.updates.map((entry) => entry.data)]) if (update) Y.applyUpdate(doc, update);
      const users = new Set<string>(doc.getMap(MARKET_POSITIONS).keys());
      const state = doc.getMap(MARKET_MAP).get(MARKET_STATE_KEY) as { creatorId?: unknown } | undefined;
      if (typeof state?.creatorId === 'string') users.add(state.creatorId);
      holders.set(room, users);
      return users;
    } finally {
      doc.destroy();
    }
  }

  function noteHolder(tenant: string, marketId: string, userId: string, creating: boolean): void {
    const room = roomNames.market(tenant, marketId);
    const known = holders.get(room);
    if (known) known.add(userId);
    else if (creating) holders.set(room, new Set([userId]));
  }

  return {
    name: MARKETS_REFEREE,
    intentKinds: Object.values(MARKET_INTENTS),

    async roomsFor(intent: IntentEnvelope, author: Author): Promise<readonly string[]> {
      const tenant = author.tenant;
      if (domainRole(author.role) === null) return [];
      const record = await options.directory.tenant(tenant);
      grants.set(tenant, record?.policy.startingGrant ?? 0);
      const standings = roomNames.standings(tenant, 'markets');
      const base = opened.has(`${tenant}\u0000${author.user}`) ? [roomNames.markets(tenant)] : [roomNames.markets(tenant), standings];
      if (intent.kind === MARKET_INTENTS.create) return [...base, roomNames.market(tenant, intent.id)];
      const ref = marketRef.safeParse(intent.payload);
      if (!ref.success) return base;
      const room = roomNames.market(tenant, ref.data.market);
      if (intent.kind === MARKET_INTENTS.trade) return [...base, room, roomNames.marketTrades(tenant, ref.data.market, monthKey(options.now()))];
      const users = await storedHolders(room);
      return [...new Set([...base, standings, room, ...[...users].map((user) => roomNames.inbox(tenant, user))])];
    },

    // A resolution pays every holder, and a trade decided just before it may add one: it starts
    // its own batch. Creating and trading name their rooms from the payload (and a superset of
    // the standings), whatever was decided before.
    batchable: (intent: IntentEnvelope) => intent.kind === MARKET_INTENTS.create || intent.kind === MARKET_INTENTS.trade,

    decide(intent: IntentEnvelope, author: Author, context: DecideContext): Outcome {
      const role = domainRole(author.role);
      if (role === null) return { status: 'rejected', reason: { code: 'not-a-member', message: 'only members of this community can use its markets' } };
      const startingGrant = grants.get(author.tenant);
      if (startingGrant === undefined) throw new Error('the tenant policy was not read before deciding');
      const actor: Actor = { userId: author.user, name: author.name, role, startingGrant };
      if (context.doc(roomNames.inbox(author.tenant, author.user)).getMap(INBOX_MARKETS).has(INBOX_ACCOUNT_KEY)) opened.add(`${author.tenant}\u0000${author.user}`);
      switch (intent.kind) {
        case MARKET_INTENTS.create: {
          const outcome = decideCreate(intent, actor, context, settings);
          if (outcome.status === 'accepted') noteHolder(author.tenant, intent.id, author.user, true);
          return outcome;
        }
        case MARKET_INTENTS.trade: {
          const outcome = decideTradeIntent(intent, actor, context, settings, throttle);
          const ref = marketRef.safeParse(intent.payload);
          if (outcome.status === 'accepted' && ref.success) noteHolder(author.tenant, ref.data.market, author.user, false);
          return outcome;
        }
        case MARKET_INTENTS.resolve:
          return decideResolution(intent, actor, context, false);
        case MARKET_INTENTS.correct:
          return decideResolution(intent, actor, context, true);
        default:
          return { status: 'rejected', reason: { code: 'unknown-kind', message: `the markets referee does not handle "${intent.kind}"` } };
      }
    },

    deadlineRooms(deadline: Deadline): readonly string[] {
      if (deadline.kind === CLOSE_DEADLINE || deadline.kind === DIRECTORY_DEADLINE) {
        const payload = closePayload.safeParse(deadline.payload);
        return payload.success ? [roomNames.market(deadline.tenant, payload.data.market), roomNames.markets(deadline.tenant)] : [];
      }
      if (deadline.kind === ARCHIVE_DEADLINE) {
        const payload = archivePayload.safeParse(deadline.payload);
        if (!payload.success) return [];
        const { market, months } = payload.data;
        return [roomNames.market(deadline.tenant, market), ...months.map((month) => roomNames.marketTrades(deadline.tenant, market, month))];
      }
      return [];
    },

    onDeadline(deadline: Deadline, context: DecideContext): void {
      if (deadline.kind === CLOSE_DEADLINE) {
        const payload = closePayload.safeParse(deadline.payload);
        if (!payload.success) return;
        const loaded = loadMarket(context.doc(roomNames.market(context.tenant, payload.data.market)));
        if (!loaded.ok) return;
        const { market, info } = loaded.value;
        if (market.settlement === null && info.status === 'open') writeMarket(context, { market, status: 'closed', creatorName: info.creatorName });
        return;
      }
      if (deadline.kind === ARCHIVE_DEADLINE) {
        const payload = archivePayload.safeParse(deadline.payload);
        if (payload.success) archiveTrades(context, payload.data.market, null);
        return;
      }
      if (deadline.kind === DIRECTORY_DEADLINE) {
        const payload = closePayload.safeParse(deadline.payload);
        if (!payload.success) return;
        const loaded = loadMarket(context.doc(roomNames.market(context.tenant, payload.data.market)));
        if (loaded.ok) writeDirectoryLine(context, loaded.value.market, loaded.value.info);
        throttle.refreshed(context.tenant, payload.data.market, context.now);
        return;
      }
      options.logger.warn({ deadline: deadline.id, kind: deadline.kind }, 'markets: unknown deadline kind');
    },
  };
}
