/**
 * Stock: how many units of each product the shop can sell. Only the commerce referee writes the
 * stock room; it changes a level in exactly three ways, all here: an admin's adjustment, a
 * checkout taking units (all lines or none), and a cancellation giving them back. No path makes
 * a level negative: every decrease is checked against what is there.
 */
import { z } from 'zod';
import { fail, ok, type DomainError, type Result } from '../result.ts';
import { canManageCommerce, isEntityId, LIMITS, STOCK_ADJUSTMENT_REASONS, type TenantRole } from './vocab.ts';

/**
 * Units on hand by product id. A `Map` (not a plain object) so that no id can reach a
 * prototype property. A product without an entry has 0 units.
 */
export type StockLevels = ReadonlyMap<string, number>;

/** What is on hand; a missing or corrupt entry counts as 0 (nothing can be sold from it). */
export function stockLevel(stock: StockLevels, productId: string): number {
  const level = stock.get(productId);
  return level !== undefined && Number.isSafeInteger(level) && level >= 0 ? level : 0;
}

function isLevel(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Projection of the stock room's entries: valid ones kept, the keys of the others reported. */
export function stockLevelsFrom(entries: Iterable<readonly [string, unknown]>): { readonly stock: StockLevels; readonly hidden: readonly string[] } {
  const stock = new Map<string, number>();
  const hidden: string[] = [];
  for (const [productId, level] of entries) {
    if (isEntityId(productId) && isLevel(level)) stock.set(productId, level);
    else hidden.push(productId);
  }
  return { stock, hidden };
}

/** One level that changed; the referee writes `after` into the stock room under `productId`. */
export interface StockChange {
  readonly productId: string;
  readonly before: number;
  readonly after: number;
}

export interface StockUpdate {
  readonly stockAfter: StockLevels;
  readonly changes: readonly StockChange[];
}

/** Units of one product, as on an order line. */
export interface StockLine {
  readonly productId: string;
  readonly quantity: number;
}

export const stockAdjustmentSchema = z.strictObject({
  productId: z.string().refine(isEntityId, 'a product id'),
  delta: z.int().min(-LIMITS.maxStockDelta).max(LIMITS.maxStockDelta).refine((delta) => delta !== 0, 'a non-zero change'),
  reason: z.enum(STOCK_ADJUSTMENT_REASONS),
  note: z.string().max(200).optional(),
});
/** An admin's intent to change one stock level by `delta` units (negative removes units). */
export type StockAdjustment = z.infer<typeof stockAdjustmentSchema>;

export const STOCK_ERROR_CODES = ['forbidden', 'invalid', 'insufficient-stock', 'too-much-stock'] as const;
export type StockErrorCode = (typeof STOCK_ERROR_CODES)[number];
export interface StockError extends DomainError<StockErrorCode> {
  readonly productId?: string;
  /** Units on hand, for `insufficient-stock`. */
  readonly available?: number;
}

/**
 * The referee's decision on an admin's stock adjustment (raw intent in, so a tampered one gets
 * `invalid`). Members and guests get `forbidden`; removing more units than are on hand gets
 * `insufficient-stock` with what is available; the level never goes below 0 or above the cap.
 */
export function decideStockAdjustment(
  stock: StockLevels,
  input: unknown,
  actorRole: TenantRole,
): Result<StockUpdate & { readonly adjustment: StockAdjustment }, StockError> {
  if (!canManageCommerce(actorRole)) return fail('forbidden', 'Only the shop owner and admins can change stock.');
  const parsed = stockAdjustmentSchema.safeParse(input);
  if (!parsed.success) return fail('invalid', `This stock change is not valid: ${z.prettifyError(parsed.error)}`);
  const adjustment = parsed.data;
  const before = stockLevel(stock, adjustment.productId);
  const after = before + adjustment.delta;
  if (after < 0) {
    return {
      ok: false,
      error: {
        code: 'insufficient-stock',
        message: `Only ${before} on hand; cannot remove ${-adjustment.delta}.`,
        productId: adjustment.productId,
        available: before,
      },
    };
  }
  if (after > LIMITS.maxStock) {
    return fail('too-much-stock', `A stock level can be at most ${LIMITS.maxStock.toLocaleString('en-US')}.`);
  }
  const stockAfter = new Map(stock);
  stockAfter.set(adjustment.productId, after);
  return ok({ stockAfter, changes: [{ productId: adjustment.productId, before, after }], adjustment });
}

function totalsByProduct(lines: readonly StockLine[]): Map<string, number> {
  const totals = new Map<string, number>();
  for (const line of lines) {
    if (!Number.isSafeInteger(line.quantity) || line.quantity <= 0) throw new RangeError(`stock line quantity must be a positive integer, got ${line.quantity}`);
    totals.set(line.productId, (totals.get(line.productId) ?? 0) + line.quantity);
  }
  return totals;
}

export interface Shortage {
  readonly productId: string;
  readonly requested: number;
  readonly available: number;
}

/**
 * Checkout side: takes every line's units, or none. Lines naming the same product are added up
 * first. On a shortage, returns every short product and leaves `stock` as it was.
 */
export function takeStock(stock: StockLevels, lines: readonly StockLine[]): Result<StockUpdate, readonly Shortage[]> {
  const wanted = totalsByProduct(lines);
  const shortages: Shortage[] = [];
  for (const [productId, requested] of wanted) {
    const available = stockLevel(stock, productId);
    if (requested > available) shortages.push({ productId, requested, available });
  }
  if (shortages.length > 0) return { ok: false, error: shortages };
  const stockAfter = new Map(stock);
  const changes: StockChange[] = [];
  for (const [productId, requested] of wanted) {
    const before = stockLevel(stock, productId);
    stockAfter.set(productId, before - requested);
    changes.push({ productId, before, after: before - requested });
  }
  return ok({ stockAfter, changes });
}

/**
 * Cancellation side: gives an order's units back. Not capped at `LIMITS.maxStock`: units that
 * were sold must come back in full, or the books would not balance.
 */
export function returnStock(stock: StockLevels, lines: readonly StockLine[]): StockUpdate {
  const stockAfter = new Map(stock);
  const changes: StockChange[] = [];
  for (const [productId, quantity] of totalsByProduct(lines)) {
    const before = stockLevel(stock, productId);
    stockAfter.set(productId, before + quantity);
    changes.push({ productId, before, after: before + quantity });
  }
  return { stockAfter, changes };
}
