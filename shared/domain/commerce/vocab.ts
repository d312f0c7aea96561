/**
 * The commerce vocabulary: `as const` arrays with the unions derived from them, the id rule and
 * the numeric limits every other commerce file shares. Change a limit here, not at a use site.
 */

/** Tenant roles as commerce sees them. Only `owner` and `admin` manage products, stock and orders. */
export const TENANT_ROLES = ['owner', 'admin', 'member', 'guest'] as const;
export type TenantRole = (typeof TENANT_ROLES)[number];

export function isTenantRole(value: unknown): value is TenantRole {
  return typeof value === 'string' && (TENANT_ROLES as readonly string[]).includes(value);
}

/** Whether a role may edit the catalog, adjust stock and move orders through their lifecycle. */
export function canManageCommerce(role: TenantRole): boolean {
  return role === 'owner' || role === 'admin';
}

export const PRODUCT_STATUSES = ['active', 'archived'] as const;
export type ProductStatus = (typeof PRODUCT_STATUSES)[number];

export const ORDER_STATUSES = ['placed', 'paid', 'fulfilled', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const PAYMENT_STATUSES = ['unpaid', 'paid', 'refunded'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/** Why an admin changed a stock level; kept on the adjustment for the audit trail. */
export const STOCK_ADJUSTMENT_REASONS = ['received', 'correction', 'damaged', 'lost', 'returned', 'other'] as const;
export type StockAdjustmentReason = (typeof STOCK_ADJUSTMENT_REASONS)[number];

/** Milliseconds since the Unix epoch (UTC). The domain never reads a clock: callers pass `now`. */
export type EpochMs = number;

export const LIMITS = {
  /** Largest price of one unit, in minor units of its currency (10^9: $10M, ¥1G). */
  maxPriceMinor: 1_000_000_000,
  /** Most units of one product on one cart line or order line. */
  maxLineQuantity: 99,
  /** Most distinct products in one cart or order. */
  maxLines: 100,
  /** Largest stock level of one product. */
  maxStock: 1_000_000_000,
  /** Largest single stock adjustment, up or down. */
  maxStockDelta: 1_000_000_000,
  /** Highest tax rate, in basis points (10,000 bps = 100 %). */
  maxTaxBps: 10_000,
  /** Longest entity id (products, orders, users), in UTF-16 code units. */
  maxIdLength: 64,
} as const;

/**
 * Ids are generated at the edge (crypto-random) and passed in. They become Y.Map keys, RxDB
 * primary keys and URL parts, so the alphabet is URL-safe and short. Keys are looked up in
 * `Map`s, never in plain objects, so an id such as `__proto__` is harmless.
 */
const ID_PATTERN = /^[A-Za-z0-9_-]+$/;

export function isEntityId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= LIMITS.maxIdLength && ID_PATTERN.test(value);
}

export function isEpochMs(value: unknown): value is EpochMs {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** True for plain JSON-like objects (not arrays, not class instances, not null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
