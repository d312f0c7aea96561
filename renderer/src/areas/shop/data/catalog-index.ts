/**
 * The shop's in-memory catalog index: a minisearch full-text index (case- and accent-blind,
 * typo-tolerant, prefix) plus, per sort order, the products pre-sorted once per catalog change.
 * A browse query is then: search (if there is text) → walk the candidates in order → keep those
 * that pass the filter. The filter and the orders are the domain's (`matchesFilter`,
 * `sortProducts`); they are only precomputed here so that 10,000 products answer a keystroke in
 * a few milliseconds (see `catalog-index.test.ts` for the equivalence with the domain functions).
 */
import MiniSearch, { type SearchResult } from 'minisearch';
import type { Minor } from '../../../../../shared/domain/money.ts';
import type { CurrencyCode } from '../../../../../shared/domain/commerce/currency.ts';
import { categorySlug, type Product } from '../../../../../shared/domain/commerce/product.ts';
import { normalizeForSearch, SEARCH_INDEX_OPTIONS, searchDocument, sortProducts, type ProductSort, type SearchDocument } from '../../../../../shared/domain/commerce/search.ts';

export interface BrowseQuery {
  /** What the shopper typed; empty lists everything. */
  readonly text: string;
  /** A category slug (`categorySlug`), or null for all. */
  readonly category: string | null;
  /** Inclusive price bounds in `currency`; products in other currencies drop out when one is set. */
  readonly minPrice: Minor | null;
  readonly maxPrice: Minor | null;
  readonly currency: CurrencyCode | null;
  readonly sort: ProductSort;
  /** Admins may list archived products; shoppers never see them. */
  readonly includeArchived: boolean;
  /** Only archived products (the admin's "Archived" tab); implies includeArchived. */
  readonly onlyArchived?: boolean;
}

export const EMPTY_QUERY: BrowseQuery = { text: '', category: null, minPrice: null, maxPrice: null, currency: null, sort: 'relevance', includeArchived: false };

export interface BrowseResult {
  readonly items: readonly Product[];
  /** Whether the text search had to fall back from "every word" to "any word". */
  readonly loosened: boolean;
}

export interface CategoryOption {
  readonly slug: string;
  /** The spelling most products use. */
  readonly label: string;
  readonly count: number;
}

interface Entry {
  readonly product: Product;
  readonly slug: string;
}

/** Fuzzy matching only for words long enough that one typo still leaves a word (4+ letters). */
function fuzziness(term: string): number | false {
  return term.length >= 4 ? SEARCH_INDEX_OPTIONS.searchOptions.fuzzy : false;
}

function createSearch(): MiniSearch<SearchDocument> {
  return new MiniSearch<SearchDocument>({
    fields: [...SEARCH_INDEX_OPTIONS.fields],
    storeFields: [...SEARCH_INDEX_OPTIONS.storeFields],
    idField: 'id',
    searchOptions: { ...SEARCH_INDEX_OPTIONS.searchOptions, boost: { ...SEARCH_INDEX_OPTIONS.searchOptions.boost }, fuzzy: fuzziness, maxFuzzy: 2 },
  });
}

/**
 * Sort orders that do not depend on a query: without search text, "relevance" lists the newest
 * first (a sensible shop front), and ties break by title then id exactly as `sortProducts` does.
 */
type StaticSort = Exclude<ProductSort, 'relevance'>;

export class CatalogIndex {
  private readonly search = createSearch();
  private readonly entries = new Map<string, Entry>();
  private readonly orders = new Map<StaticSort, { list: Entry[]; rank: Map<string, number> }>();
  private categoryCache: CategoryOption[] | null = null;
  private readonly locale: string | undefined;
  /** Bumped on every change; the UI keys its memos on it. */
  version = 0;

  constructor(locale?: string) {
    this.locale = locale;
  }

  get size(): number {
    return this.entries.size;
  }

  get(id: string): Product | undefined {
    return this.entries.get(id)?.product;
  }

  all(): Product[] {
    return [...this.entries.values()].map((entry) => entry.product);
  }

  /** Adds many products at once, yielding to the page between chunks (the first build). */
  async addAll(products: readonly Product[], chunkSize = 1000): Promise<void> {
    const fresh = products.filter((product) => !this.entries.has(product.id));
    for (const product of fresh) this.entries.set(product.id, { product, slug: categorySlug(product.category) });
    await this.search.addAllAsync(fresh.map(searchDocument), { chunkSize });
    this.changed();
  }

  /** Applies a batch of changes: new or edited products, and ids that left the catalog. */
  apply(upserts: readonly Product[], removals: readonly string[]): void {
    if (upserts.length === 0 && removals.length === 0) return;
    for (const id of removals) {
      if (!this.entries.delete(id)) continue;
      if (this.search.has(id)) this.search.discard(id);
    }
    for (const product of upserts) {
      const previous = this.entries.get(product.id);
      this.entries.set(product.id, { product, slug: categorySlug(product.category) });
      if (previous === undefined) this.search.add(searchDocument(product));
      else if (textChanged(previous.product, product)) this.search.replace(searchDocument(product));
    }
    this.changed();
  }

  private changed(): void {
    this.orders.clear();
    this.categoryCache = null;
    this.version += 1;
  }

  private order(sort: StaticSort): { list: Entry[]; rank: Map<string, number> } {
    let cached = this.orders.get(sort);
    if (!cached) {
      const sorted = sortProducts([...this.entries.values()].map((entry) => entry.product), sort, this.locale === undefined ? {} : { locale: this.locale });
      const list = sorted.map((product) => this.entries.get(product.id)!);
      cached = { list, rank: new Map(list.map((entry, index) => [entry.product.id, index])) };
      this.orders.set(sort, cached);
    }
    return cached;
  }

  /** Categories of the products a shopper can see, by slug, with counts; most common first. */
  categories(includeArchived = false): CategoryOption[] {
    if (this.categoryCache && !includeArchived) return this.categoryCache;
    const bySlug = new Map<string, { labels: Map<string, number>; count: number }>();
    for (const { product, slug } of this.entries.values()) {
      if (!includeArchived && product.status === 'archived') continue;
      const group = bySlug.get(slug) ?? { labels: new Map<string, number>(), count: 0 };
      group.count += 1;
      group.labels.set(product.category, (group.labels.get(product.category) ?? 0) + 1);
      bySlug.set(slug, group);
    }
    const options = [...bySlug].map(([slug, group]) => ({
      slug,
      label: [...group.labels].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0],
      count: group.count,
    }));
    options.sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
    if (!includeArchived) this.categoryCache = options;
    return options;
  }

  /** The currency most products are priced in (a catalog normally has one). */
  mainCurrency(): CurrencyCode | null {
    const counts = new Map<CurrencyCode, number>();
    for (const { product } of this.entries.values()) counts.set(product.price.currency, (counts.get(product.price.currency) ?? 0) + 1);
    let best: CurrencyCode | null = null;
    for (const [currency, count] of counts) if (best === null || count > (counts.get(best) ?? 0)) best = currency;
    return best;
  }

  private accepts(entry: Entry, query: BrowseQuery): boolean {
    const { product } = entry;
    if (query.onlyArchived === true) {
      if (product.status !== 'archived') return false;
    } else if (product.status === 'archived' && !query.includeArchived) return false;
    if (query.category !== null && entry.slug !== query.category) return false;
    if (query.currency !== null && (query.minPrice !== null || query.maxPrice !== null)) {
      if (product.price.currency !== query.currency) return false;
      if (query.minPrice !== null && product.price.amount < query.minPrice) return false;
      if (query.maxPrice !== null && product.price.amount > query.maxPrice) return false;
    }
    return true;
  }

  private searchText(text: string): { hits: SearchResult[]; loosened: boolean } {
    const normalized = normalizeForSearch(text);
    const strict = this.search.search(normalized, { combineWith: 'AND' });
    if (strict.length > 0 || !normalized.includes(' ')) return { hits: strict, loosened: false };
    const loose = this.search.search(normalized, { combineWith: 'OR' });
    return { hits: loose, loosened: loose.length > 0 };
  }

  query(query: BrowseQuery): BrowseResult {
    const text = query.text.trim();
    if (text === '') {
      const { list } = this.order(query.sort === 'relevance' ? 'newest' : query.sort);
      return { items: list.filter((entry) => this.accepts(entry, query)).map((entry) => entry.product), loosened: false };
    }
    const { hits, loosened } = this.searchText(text);
    const candidates: Array<{ entry: Entry; score: number }> = [];
    for (const hit of hits) {
      const entry = this.entries.get(hit.id as string);
      if (entry && this.accepts(entry, query)) candidates.push({ entry, score: hit.score });
    }
    if (query.sort === 'relevance') {
      const { rank } = this.order('title');
      candidates.sort((a, b) => (a.score === b.score ? rank.get(a.entry.product.id)! - rank.get(b.entry.product.id)! : b.score - a.score));
    } else {
      const { rank } = this.order(query.sort);
      candidates.sort((a, b) => rank.get(a.entry.product.id)! - rank.get(b.entry.product.id)!);
    }
    return { items: candidates.map((candidate) => candidate.entry.product), loosened };
  }
}

function textChanged(a: Product, b: Product): boolean {
  return a.title !== b.title || a.description !== b.description || a.category !== b.category || a.tags.join('\u0000') !== b.tags.join('\u0000');
}
