import { describe, expect, it } from 'vitest';
import { minor } from '../money.ts';
import { browseCatalog, matchesFilter, matchesQuery, normalizeForSearch, searchDocument, sortProducts } from './search.ts';
import { product, T0 } from './test-support/fixtures.ts';

describe('normalizeForSearch', () => {
  it.each([
    ['Crème Brûlée', 'creme brulee'],
    ['CAFÉ', 'cafe'],
    ['Straße', 'strasse'],
    ['ﬁsh', 'fish'],
    ['Ｍｕｇ', 'mug'],
    ['İstanbul', 'istanbul'],
    ['Øre  Łódź', 'ore lodz'],
    ['  two\n\tlines  ', 'two lines'],
    ['naïve\u0000', 'naive'],
  ])('%j → %j', (input, expected) => {
    expect(normalizeForSearch(input)).toBe(expected);
  });

  it('is idempotent', () => {
    for (const text of ['Crème Brûlée', 'Straße', 'ﬁsh']) expect(normalizeForSearch(normalizeForSearch(text))).toBe(normalizeForSearch(text));
  });
});

const mug = product('mug', 1200, { title: 'Crème Mug', category: 'Home & Kitchen', tags: ['Café'], description: 'Holds coffee.', createdAt: T0 });
const book = product('book', 2500, { title: 'A Book', category: 'books', createdAt: T0 + 2000 });
const yen = product('yen', 3000, { title: 'Tea cup', category: 'home-kitchen', currency: 'JPY', createdAt: T0 + 1000 });
const old = product('old', 500, { title: 'Old mug', status: 'archived', category: 'home & kitchen' });
const all = [mug, book, yen, old];

describe('search documents and filters', () => {
  it('maps a product to normalised text fields', () => {
    expect(searchDocument(mug)).toEqual({ id: 'mug', title: 'creme mug', description: 'holds coffee.', category: 'home & kitchen', tags: 'cafe' });
  });

  it('matches queries accent- and case-blind, every word required', () => {
    expect(matchesQuery(mug, 'CREME')).toBe(true);
    expect(matchesQuery(mug, 'café coffee')).toBe(true);
    expect(matchesQuery(mug, 'creme tea')).toBe(false);
    expect(matchesQuery(mug, '   ')).toBe(true);
  });

  it('hides archived products unless asked', () => {
    expect(all.filter((p) => matchesFilter(p, {})).map((p) => p.id)).toEqual(['mug', 'book', 'yen']);
    expect(all.filter((p) => matchesFilter(p, { includeArchived: true }))).toHaveLength(4);
  });

  it('filters by category as typed or as a slug', () => {
    expect(all.filter((p) => matchesFilter(p, { category: 'home-kitchen' })).map((p) => p.id)).toEqual(['mug', 'yen']);
    expect(all.filter((p) => matchesFilter(p, { category: 'HOME & KITCHEN', includeArchived: true })).map((p) => p.id)).toEqual(['mug', 'yen', 'old']);
  });

  it('filters by an inclusive price range in one currency', () => {
    const inRange = (min?: number, max?: number) =>
      all.filter((p) => matchesFilter(p, { price: { currency: 'USD', ...(min === undefined ? {} : { min: minor(min) }), ...(max === undefined ? {} : { max: minor(max) }) } })).map((p) => p.id);
    expect(inRange(1200, 2500)).toEqual(['mug', 'book']);
    expect(inRange(1201)).toEqual(['book']);
    expect(inRange(undefined, 1199)).toEqual([]);
    expect(all.filter((p) => matchesFilter(p, { price: { currency: 'JPY', max: minor(3000) } })).map((p) => p.id)).toEqual(['yen']);
  });
});

describe('sortProducts', () => {
  const shown = [mug, book, yen];
  it.each([
    ['price-asc', ['yen', 'mug', 'book']],
    ['price-desc', ['yen', 'book', 'mug']],
    ['newest', ['book', 'yen', 'mug']],
    ['title', ['book', 'mug', 'yen']],
  ] as const)('%s', (sort, ids) => {
    expect(sortProducts(shown, sort).map((p) => p.id)).toEqual(ids);
  });

  it('sorts by relevance score, unscored last, ties by title', () => {
    const scores = new Map([['yen', 2], ['book', 9]]);
    expect(sortProducts(shown, 'relevance', { scores }).map((p) => p.id)).toEqual(['book', 'yen', 'mug']);
    expect(sortProducts(shown, 'relevance').map((p) => p.id)).toEqual(['book', 'mug', 'yen']);
  });

  it('breaks price ties by title then id, the same on every device', () => {
    const a = product('a', 100, { title: 'Same' });
    const b = product('b', 100, { title: 'Same' });
    expect(sortProducts([b, a], 'price-asc').map((p) => p.id)).toEqual(['a', 'b']);
    expect(sortProducts([a, b], 'price-asc').map((p) => p.id)).toEqual(['a', 'b']);
  });

  it('does not mutate its input and survives a bad locale', () => {
    const input = [yen, mug];
    expect(sortProducts(input, 'title', { locale: '!!' }).map((p) => p.id)).toEqual(['mug', 'yen']);
    expect(input.map((p) => p.id)).toEqual(['yen', 'mug']);
  });

  it('browses: filter then sort', () => {
    expect(browseCatalog(all, { query: 'mug', includeArchived: true }, 'price-asc').map((p) => p.id)).toEqual(['old', 'mug']);
  });
});
