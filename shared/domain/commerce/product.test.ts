import { describe, expect, it } from 'vitest';
import { expectOk } from '../result.ts';
import { categorySlug, createProduct, PRODUCT_LIMITS, updateProduct, validateProduct, validateProductDraft, type ProductError } from './product.ts';
import { HASH_A, HASH_B, rawProduct, T0 } from './test-support/fixtures.ts';

function errorsOf(result: { ok: boolean; error?: ProductError }): readonly { field: string; code: string }[] {
  expect(result.ok).toBe(false);
  return (result.error?.fields ?? []).map(({ field, code }) => ({ field, code }));
}

const image = (overrides: Record<string, unknown> = {}) => ({ hash: HASH_A, mime: 'image/png', size: 1000, ...overrides });
const draftOf = (overrides: Record<string, unknown> = {}) => {
  const { id: _id, createdAt: _c, updatedAt: _u, version: _v, ...draft } = rawProduct(overrides);
  return draft;
};

describe('validateProduct: every rule', () => {
  it('accepts the fixture as is', () => {
    const product = expectOk(validateProduct(rawProduct()));
    expect(product).toEqual(rawProduct());
  });

  it.each([
    // [name, overrides, field, code]
    ['title missing', { title: undefined }, 'title', 'required'],
    ['title empty', { title: '' }, 'title', 'required'],
    ['title only spaces', { title: '   \t ' }, 'title', 'required'],
    ['title only control chars', { title: '\u0000\u0007' }, 'title', 'required'],
    ['title 121 chars', { title: 'x'.repeat(121) }, 'title', 'too-long'],
    ['title a number', { title: 42 }, 'title', 'wrong-type'],
    ['title an array', { title: ['Mug'] }, 'title', 'wrong-type'],
    ['description 5001 chars', { description: 'd'.repeat(5001) }, 'description', 'too-long'],
    ['description null', { description: null }, 'description', 'wrong-type'],
    ['price zero', { price: { amount: 0, currency: 'USD' } }, 'price.amount', 'out-of-range'],
    ['price negative', { price: { amount: -100, currency: 'USD' } }, 'price.amount', 'out-of-range'],
    ['price above 10^9', { price: { amount: 1_000_000_001, currency: 'USD' } }, 'price.amount', 'out-of-range'],
    ['price fractional', { price: { amount: 10.5, currency: 'USD' } }, 'price.amount', 'wrong-type'],
    ['price a string', { price: { amount: '1000', currency: 'USD' } }, 'price.amount', 'wrong-type'],
    ['price NaN', { price: { amount: Number.NaN, currency: 'USD' } }, 'price.amount', 'wrong-type'],
    ['price Infinity', { price: { amount: Infinity, currency: 'USD' } }, 'price.amount', 'wrong-type'],
    ['price a number', { price: 1000 }, 'price', 'wrong-type'],
    ['price currency unknown', { price: { amount: 1000, currency: 'DOGE' } }, 'price.currency', 'not-allowed'],
    ['price currency lower case', { price: { amount: 1000, currency: 'usd' } }, 'price.currency', 'not-allowed'],
    ['price extra field', { price: { amount: 1000, currency: 'USD', tax: 0 } }, 'price.tax', 'unknown-field'],
    ['category empty', { category: '' }, 'category', 'required'],
    ['category 41 chars', { category: 'c'.repeat(41) }, 'category', 'too-long'],
    ['13 tags', { tags: Array.from({ length: 13 }, (_, i) => `t${i}`) }, 'tags', 'too-many'],
    ['tag 25 chars', { tags: ['ok', 't'.repeat(25)] }, 'tags.1', 'too-long'],
    ['tag empty', { tags: [''] }, 'tags.0', 'required'],
    ['tag not text', { tags: [7] }, 'tags.0', 'wrong-type'],
    ['tag duplicate ignoring case and accents', { tags: ['Café', 'cafe'] }, 'tags.1', 'duplicate'],
    ['tags not a list', { tags: 'a,b' }, 'tags', 'wrong-type'],
    ['9 images', { images: Array.from({ length: 9 }, (_, i) => image({ hash: String(i).repeat(64) })) }, 'images', 'too-many'],
    ['image gif', { images: [image({ mime: 'image/gif' })] }, 'images.0.mime', 'not-allowed'],
    ['image svg', { images: [image({ mime: 'image/svg+xml' })] }, 'images.0.mime', 'not-allowed'],
    ['image over 5 MB', { images: [image({ size: 5 * 1024 * 1024 + 1 })] }, 'images.0.size', 'out-of-range'],
    ['image size 0', { images: [image({ size: 0 })] }, 'images.0.size', 'out-of-range'],
    ['image hash short', { images: [image({ hash: 'abc' })] }, 'images.0.hash', 'invalid-format'],
    ['image hash upper case', { images: [image({ hash: 'A'.repeat(64) })] }, 'images.0.hash', 'invalid-format'],
    ['image hash a path', { images: [image({ hash: `../${'a'.repeat(61)}` })] }, 'images.0.hash', 'invalid-format'],
    ['image hash missing', { images: [{ mime: 'image/png', size: 1 }] }, 'images.0.hash', 'required'],
    ['image extra field', { images: [image({ url: 'http://evil' })] }, 'images.0.url', 'unknown-field'],
    ['image twice', { images: [image(), image()] }, 'images.1', 'duplicate'],
    ['image not an object', { images: ['a.png'] }, 'images.0', 'wrong-type'],
    ['status unknown', { status: 'deleted' }, 'status', 'not-allowed'],
    ['id missing', { id: undefined }, 'id', 'required'],
    ['id with a slash', { id: 'a/b' }, 'id', 'invalid-format'],
    ['id 65 chars', { id: 'a'.repeat(65) }, 'id', 'invalid-format'],
    ['id a number', { id: 7 }, 'id', 'invalid-format'],
    ['createdAt negative', { createdAt: -1 }, 'createdAt', 'out-of-range'],
    ['createdAt an ISO string', { createdAt: '2026-01-01' }, 'createdAt', 'wrong-type'],
    ['updatedAt before createdAt', { updatedAt: T0 - 1 }, 'updatedAt', 'out-of-range'],
    ['version 0', { version: 0 }, 'version', 'out-of-range'],
    ['version fractional', { version: 1.5 }, 'version', 'wrong-type'],
    ['extra field', { isAdmin: true }, 'isAdmin', 'unknown-field'],
  ])('%s → %s %s', (_name, overrides, field, code) => {
    const input = Object.assign(rawProduct(), overrides);
    for (const [key, value] of Object.entries(overrides)) if (value === undefined) delete input[key];
    expect(errorsOf(validateProduct(input))).toContainEqual({ field, code });
  });

  it('refuses a __proto__ key smuggled in through JSON, without polluting anything', () => {
    const json = JSON.stringify(rawProduct()).replace('{', '{"__proto__":{"polluted":true},');
    expect(errorsOf(validateProduct(JSON.parse(json)))).toEqual([{ field: '__proto__', code: 'unknown-field' }]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses an object with a foreign prototype', () => {
    const sneaky = Object.assign(Object.create({ status: 'active' }) as object, rawProduct());
    expect(errorsOf(validateProduct(sneaky))).toEqual([{ field: '', code: 'wrong-type' }]);
  });

  it('accepts the limits exactly', () => {
    const product = expectOk(validateProduct(rawProduct({
      title: 'x'.repeat(120),
      description: 'd'.repeat(5000),
      price: { amount: 1_000_000_000, currency: 'JPY' },
      category: 'c'.repeat(40),
      tags: Array.from({ length: 12 }, (_, i) => `${'t'.repeat(22)}${String(i).padStart(2, '0')}`),
      images: Array.from({ length: 8 }, (_, i) => image({ hash: String(i).repeat(64), size: PRODUCT_LIMITS.imageBytesMax, mime: 'image/webp' })),
    })));
    expect(product.title).toHaveLength(120);
    expect(product.tags).toHaveLength(12);
    expect(product.images).toHaveLength(8);
  });

  it('counts characters as code points: 120 emoji fit, 121 do not', () => {
    expect(validateProduct(rawProduct({ title: '🎁'.repeat(120) })).ok).toBe(true);
    expect(errorsOf(validateProduct(rawProduct({ title: '🎁'.repeat(121) })))).toContainEqual({ field: 'title', code: 'too-long' });
  });

  it('reports every problem at once, each for its field', () => {
    const fields = errorsOf(validateProduct(rawProduct({ title: '', price: { amount: 0, currency: 'USD' }, status: 'gone' }))).map((e) => e.field);
    expect(fields).toEqual(['title', 'price.amount', 'status']);
  });

  it.each([[null], [undefined], ['product'], [42], [[rawProduct()]], [new Date()]])('refuses a non-object %j', (input) => {
    const result = validateProduct(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('invalid-product');
  });
});

describe('untrusted text', () => {
  it('keeps HTML as text, verbatim', () => {
    const title = '<script>alert(1)</script><b>Mug</b> & "co"';
    expect(expectOk(validateProduct(rawProduct({ title }))).title).toBe(title);
  });

  it('strips control characters and bidi overrides, collapses spaces in one-line fields', () => {
    const product = expectOk(validateProduct(rawProduct({ title: '  Big\u0000\u0007 \u202Emug\u202C\n\tnow\u0085 ', tags: ['\u001bred'], category: 'Home\r\nGarden' })));
    expect(product.title).toBe('Big mug now');
    expect(product.tags).toEqual(['red']);
    expect(product.category).toBe('Home Garden');
  });

  it('keeps line breaks and indentation in the description, drops other controls', () => {
    const product = expectOk(validateProduct(rawProduct({ description: 'Line 1\r\n  indented\u0000\r\r\n\n\n\nLast\u200F\t' })));
    expect(product.description).toBe('Line 1\n  indented\n\nLast\u200F');
  });

  it('replaces lone surrogates and normalises to NFC', () => {
    const product = expectOk(validateProduct(rawProduct({ title: 'Cafe\u0301 \uD800x' })));
    expect(product.title).toBe('Café \uFFFDx');
    expect(product.title.normalize('NFC')).toBe(product.title);
  });

  it('refuses a huge string by its length alone', () => {
    const started = performance.now();
    const result = validateProduct(rawProduct({ title: 'x'.repeat(10_000_000), description: '\u0000'.repeat(10_000_000) }));
    expect(errorsOf(result)).toEqual([{ field: 'title', code: 'too-long' }, { field: 'description', code: 'too-long' }]);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('refuses a huge array before looking at its items', () => {
    expect(errorsOf(validateProduct(rawProduct({ tags: new Array(1_000_000).fill('x') })))).toEqual([{ field: 'tags', code: 'too-many' }]);
  });
});

describe('drafts, create and update', () => {
  it('validates a draft without id or timestamps, and refuses them in a draft', () => {
    expect(validateProductDraft(draftOf()).ok).toBe(true);
    expect(errorsOf(validateProductDraft({ ...draftOf(), version: 9 }))).toContainEqual({ field: 'version', code: 'unknown-field' });
  });

  it('creates version 1 with cleaned text', () => {
    const product = expectOk(createProduct(draftOf({ title: ' Mug\u0000 ' }), 'p9', T0));
    expect(product).toMatchObject({ id: 'p9', title: 'Mug', version: 1, createdAt: T0, updatedAt: T0 });
    expect(createProduct(draftOf(), 'bad id', T0).ok).toBe(false);
    expect(createProduct(draftOf({ title: '' }), 'p9', T0).ok).toBe(false);
  });

  it('updates: version + 1, updatedAt never goes backwards, createdAt and id kept', () => {
    const first = expectOk(createProduct(draftOf(), 'p9', T0));
    const later = expectOk(updateProduct(first, draftOf({ title: 'Big mug', images: [image({ hash: HASH_B })] }), T0 + 5000));
    expect(later).toMatchObject({ id: 'p9', title: 'Big mug', version: 2, createdAt: T0, updatedAt: T0 + 5000 });
    const skewed = expectOk(updateProduct(later, draftOf(), T0 - 60_000));
    expect(skewed).toMatchObject({ version: 3, updatedAt: T0 + 5000 });
    expect(updateProduct(later, draftOf({ price: { amount: 0, currency: 'USD' } }), T0).ok).toBe(false);
  });

  it.each([
    ['Home & Garden', 'home-garden'],
    ['home-garden', 'home-garden'],
    ['  Électronique ', 'electronique'],
    ['Straße', 'strasse'],
    ['!!!', ''],
  ])('categorySlug(%j) = %j', (category, slug) => {
    expect(categorySlug(category)).toBe(slug);
  });
});
