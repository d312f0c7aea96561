/**
 * Catalog search helpers, pure: the text normaliser, the document a fuzzy index (minisearch in
 * the renderer) is built from, filters by category and price, and sort orders. The index itself
 * lives in the renderer; `matchesQuery` is a plain substring fallback for small lists and tests.
 */
import { type Minor } from '../money.ts';
import { type CurrencyCode } from './currency.ts';
import { categorySlug, type Product } from './product.ts';
import { foldText } from './text.ts';

/**
 * Case- and accent-insensitive search form: NFKD, diacritics stripped, lower case, `ß` → `ss`.
 * Use it for indexed text and for the query alike (minisearch: `processTerm`).
 */
export function normalizeForSearch(text: string): string {
  return foldText(text);
}

/** The flat document a search index stores for one product (text already normalised). */
export interface SearchDocument {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly category: string;
  readonly tags: string;
}

export function searchDocument(product: Product): SearchDocument {
  return {
    id: product.id,
    title: normalizeForSearch(product.title),
    description: normalizeForSearch(product.description),
    category: normalizeForSearch(product.category),
    tags: product.tags.map(normalizeForSearch).join(' '),
  };
}

/** Index settings to hand to minisearch (plain data, no import of minisearch here). */
export const SEARCH_INDEX_OPTIONS = {
  fields: ['title', 'tags', 'category', 'description'],
  storeFields: ['id'],
  searchOptions: { boost: { title: 3, tags: 2, category: 1.5 }, prefix: true, fuzzy: 0.2 },
} as const;

/** Every word of the query appears somewhere in the product's text (accent- and case-blind). */
export function matchesQuery(product: Product, query: string): boolean {
  const words = normalizeForSearch(query).split(' ').filter((word) => word !== '');
  if (words.length === 0) return true;
  const document = searchDocument(product);
  const haystack = [document.title, document.tags, document.category, document.description].join('\n');
  return words.every((word) => haystack.includes(word));
}

export interface PriceRange {
  readonly currency: CurrencyCode;
  readonly min?: Minor;
  readonly max?: Minor;
}

export interface ProductFilter {
  /** Category as typed or as a slug: `Home & Garden` and `home-garden` select the same products. */
  readonly category?: string;
  /** Inclusive bounds; products priced in another currency are left out when a range is set. */
  readonly price?: PriceRange;
  /** Shoppers never see archived products; admins may ask for them. */
  readonly includeArchived?: boolean;
  /** Substring query (see `matchesQuery`); leave empty when a fuzzy index already selected. */
  readonly query?: string;
}

export function matchesFilter(product: Product, filter: ProductFilter): boolean {
  if (product.status === 'archived' && filter.includeArchived !== true) return false;
  if (filter.category !== undefined && categorySlug(filter.category) !== categorySlug(product.category)) return false;
  const range = filter.price;
  if (range !== undefined) {
    if (product.price.currency !== range.currency) return false;
    if (range.min !== undefined && product.price.amount < range.min) return false;
    if (range.max !== undefined && product.price.amount > range.max) return false;
  }
  return filter.query === undefined || matchesQuery(product, filter.query);
}

export const PRODUCT_SORTS = ['relevance', 'price-asc', 'price-desc', 'newest', 'title'] as const;
export type ProductSort = (typeof PRODUCT_SORTS)[number];

export interface SortOptions {
  /** Relevance scores by product id (from the fuzzy index); unscored products go last. */
  readonly scores?: ReadonlyMap<string, number>;
  /** Locale for title order; an unknown tag falls back to `en`. */
  readonly locale?: string;
}

function collatorFor(locale: string | undefined): Intl.Collator {
  const options = { sensitivity: 'base', numeric: true } as const;
  try {
    return new Intl.Collator(locale ?? 'en', options);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    return new Intl.Collator('en', options);
  }
}

/**
 * A sorted copy. Every order ends with title, then id, so equal keys still sort the same way on
 * every device. Price sorts compare amounts within a currency; currencies come in code order
 * (a catalog normally has one).
 */
export function sortProducts(products: readonly Product[], sort: ProductSort, options: SortOptions = {}): Product[] {
  const collator = collatorFor(options.locale);
  const byTitle = (a: Product, b: Product): number => collator.compare(a.title, b.title) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const byPrice = (a: Product, b: Product, direction: 1 | -1): number =>
    a.price.currency === b.price.currency ? direction * (a.price.amount - b.price.amount) : a.price.currency < b.price.currency ? -1 : 1;
  const compare = (a: Product, b: Product): number => {
    switch (sort) {
      case 'price-asc':
        return byPrice(a, b, 1);
      case 'price-desc':
        return byPrice(a, b, -1);
      case 'newest':
        return b.createdAt - a.createdAt;
      case 'title':
        return 0;
      case 'relevance': {
        const scoreA = options.scores?.get(a.id) ?? Number.NEGATIVE_INFINITY;
        const scoreB = options.scores?.get(b.id) ?? Number.NEGATIVE_INFINITY;
        return scoreA === scoreB ? 0 : scoreB > scoreA ? 1 : -1;
      }
    }
  };
  return [...products].sort((a, b) => compare(a, b) || byTitle(a, b));
}

/** Filter, then sort: what a shop page shows. */
export function browseCatalog(products: Iterable<Product>, filter: ProductFilter, sort: ProductSort, options: SortOptions = {}): Product[] {
  return sortProducts([...products].filter((product) => matchesFilter(product, filter)), sort, options);
}
