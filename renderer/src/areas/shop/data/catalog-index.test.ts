import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { minor } from '../../../../../shared/domain/money.ts';
import { categorySlug, type Product } from '../../../../../shared/domain/commerce/product.ts';
import { browseCatalog, PRODUCT_SORTS, type ProductFilter } from '../../../../../shared/domain/commerce/search.ts';
import { product, T0 } from '../../../../../shared/domain/commerce/test-support/fixtures.ts';
import { CatalogIndex, EMPTY_QUERY, type BrowseQuery } from './catalog-index.ts';

async function indexOf(products: readonly Product[]): Promise<CatalogIndex> {
  const index = new CatalogIndex('en');
  await index.addAll(products, 3);
  return index;
}

const headphones = product('hp', 9900, { title: 'Wireless Headphones', category: 'Electronics', tags: ['audio', 'bluetooth'], createdAt: T0 + 5 });
const brulee = product('cb', 1200, { title: 'Crème Brûlée Kit', category: 'Food', tags: ['dessert'], description: 'Torch included.', createdAt: T0 + 4 });
const lamp = product('lamp', 4500, { title: 'Desk Lamp', category: 'Home', tags: ['light'], createdAt: T0 + 3 });
const lampShade = product('shade', 1500, { title: 'Lamp Shade', category: 'home', createdAt: T0 + 2 });
const archived = product('old', 100, { title: 'Old Headphones', category: 'Electronics', status: 'archived', createdAt: T0 + 1 });
const yen = product('yen', 3000, { title: 'Tea Cup', category: 'Home', currency: 'JPY', createdAt: T0 });
const all = [headphones, brulee, lamp, lampShade, archived, yen];

const ids = (products: readonly Product[]) => products.map((item) => item.id);

describe('CatalogIndex search', () => {
  it.each([
    ['a typo', 'headphnes', ['hp']],
    ['two typos in a long word', 'wirelsss', ['hp']],
    ['upper case', 'DESK', ['lamp']],
    ['accents typed without them', 'creme brulee', ['cb']],
    ['accents typed with them', 'CRÈME', ['cb']],
    ['a prefix', 'head', ['hp']],
    ['a tag', 'bluetooth', ['hp']],
    ['the description', 'torch', ['cb']],
  ])('finds by %s', async (_name, text, expected) => {
    const index = await indexOf(all);
    expect(ids(index.query({ ...EMPTY_QUERY, text }).items)).toEqual(expected);
  });

  it('never shows archived products to shoppers, but admins may ask for them', async () => {
    const index = await indexOf(all);
    expect(ids(index.query({ ...EMPTY_QUERY, text: 'headphones' }).items)).toEqual(['hp']);
    expect(ids(index.query({ ...EMPTY_QUERY, text: 'headphones', includeArchived: true }).items).sort()).toEqual(['hp', 'old']);
    expect(ids(index.query({ ...EMPTY_QUERY, onlyArchived: true, includeArchived: true }).items)).toEqual(['old']);
  });

  it('every word must match; when none matches all words it falls back to any word, and says so', async () => {
    const index = await indexOf(all);
    expect(index.query({ ...EMPTY_QUERY, text: 'desk lamp' })).toMatchObject({ loosened: false });
    expect(ids(index.query({ ...EMPTY_QUERY, text: 'desk lamp' }).items)).toEqual(['lamp']);
    const loose = index.query({ ...EMPTY_QUERY, text: 'lamp headphones' });
    expect(loose.loosened).toBe(true);
    expect(ids(loose.items).sort()).toEqual(['hp', 'lamp', 'shade']);
  });

  it('follows changes: an edited title is found by its new words only, a removed product is gone', async () => {
    const index = await indexOf(all);
    const renamed = { ...lamp, title: 'Reading Light', version: 2, updatedAt: T0 + 10 };
    index.apply([renamed], ['cb']);
    expect(ids(index.query({ ...EMPTY_QUERY, text: 'reading' }).items)).toEqual(['lamp']);
    expect(ids(index.query({ ...EMPTY_QUERY, text: 'desk' }).items)).toEqual([]);
    expect(ids(index.query({ ...EMPTY_QUERY, text: 'creme' }).items)).toEqual([]);
    expect(index.get('cb')).toBeUndefined();
    expect(index.size).toBe(all.length - 1);
    const repriced = { ...renamed, price: { amount: minor(1), currency: 'USD' as const }, version: 3 };
    index.apply([repriced], []);
    expect(index.query({ ...EMPTY_QUERY, sort: 'price-asc' }).items.find((item) => item.price.currency === 'USD')?.id).toBe('lamp');
  });

  it('lists categories by slug with the most used spelling and counts (shoppers: archived left out)', async () => {
    const index = await indexOf(all);
    expect(index.categories()).toEqual([
      { slug: 'home', label: 'Home', count: 3 },
      { slug: 'electronics', label: 'Electronics', count: 1 },
      { slug: 'food', label: 'Food', count: 1 },
    ]);
    expect(index.mainCurrency()).toBe('USD');
  });

  it('ranks by relevance with a query (a title match above a description match; ties by title), by newest without one', async () => {
    const inTitle = product('t', 100, { title: 'Zinc Torch', createdAt: T0 });
    const inText = product('d', 100, { title: 'Alpha Kit', description: 'Comes with a torch.', createdAt: T0 });
    const index = await indexOf([...all, inTitle, inText]);
    const torch = ids(index.query({ ...EMPTY_QUERY, text: 'torch' }).items);
    expect(torch[0]).toBe('t');
    expect(torch.slice(1).sort()).toEqual(['cb', 'd']);
    expect(ids(index.query({ ...EMPTY_QUERY, text: 'lamp' }).items)).toEqual(['lamp', 'shade']);
    expect(ids(index.query({ ...EMPTY_QUERY, text: 'torch', sort: 'title' }).items)).toEqual(['d', 'cb', 't']);
    expect(ids((await indexOf(all)).query(EMPTY_QUERY).items)).toEqual(['hp', 'cb', 'lamp', 'shade', 'yen']);
  });
});

const CATEGORIES = ['Home', 'home', 'Books', 'Électronique', 'electronique', 'Toys'];

const productArbitrary = fc
  .record({
    id: fc.stringMatching(/^[a-z0-9]{1,6}$/),
    amount: fc.integer({ min: 1, max: 5000 }),
    currency: fc.constantFrom('USD' as const, 'EUR' as const),
    status: fc.constantFrom('active' as const, 'archived' as const),
    title: fc.constantFrom('Mug', 'mug', 'Zebra', 'Äpfel', 'apple', 'Book 10', 'Book 9'),
    created: fc.integer({ min: 0, max: 20 }),
    category: fc.constantFrom(...CATEGORIES),
  })
  .map((value) => product(value.id, value.amount, { currency: value.currency, status: value.status, title: value.title, createdAt: T0 + value.created, category: value.category }));

const queryArbitrary = fc.record({
  category: fc.option(fc.constantFrom(...CATEGORIES), { nil: null }),
  min: fc.option(fc.integer({ min: 0, max: 5000 }), { nil: null }),
  max: fc.option(fc.integer({ min: 0, max: 5000 }), { nil: null }),
  currency: fc.constantFrom('USD' as const, 'EUR' as const),
  sort: fc.constantFrom(...PRODUCT_SORTS.filter((sort) => sort !== 'relevance')),
  includeArchived: fc.boolean(),
});

describe('CatalogIndex without search text equals the domain’s browseCatalog (filter, then sort)', () => {
  it('for random catalogs and filters', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(productArbitrary, { selector: (item) => item.id, maxLength: 40 }), queryArbitrary, async (products, q) => {
        const index = await indexOf(products);
        const query: BrowseQuery = {
          text: '',
          category: q.category === null ? null : categorySlug(q.category),
          minPrice: q.min === null ? null : minor(q.min),
          maxPrice: q.max === null ? null : minor(q.max),
          currency: q.currency,
          sort: q.sort,
          includeArchived: q.includeArchived,
        };
        const filter: ProductFilter = {
          ...(q.category === null ? {} : { category: q.category }),
          ...(q.min === null && q.max === null ? {} : { price: { currency: q.currency, ...(q.min === null ? {} : { min: minor(q.min) }), ...(q.max === null ? {} : { max: minor(q.max) }) } }),
          includeArchived: q.includeArchived,
        };
        expect(ids(index.query(query).items)).toEqual(ids(browseCatalog(products, filter, q.sort, { locale: 'en' })));
      }),
      { numRuns: 150 },
    );
  });

  it('"relevance" without text lists newest first, like the domain’s "newest"', async () => {
    const index = await indexOf(all);
    expect(ids(index.query({ ...EMPTY_QUERY, sort: 'relevance' }).items)).toEqual(ids(browseCatalog(all, {}, 'newest')));
  });
});
