import { describe, expect, it } from 'vitest';
import { product } from '../../../../../shared/domain/commerce/test-support/fixtures.ts';
import { checkForm, emptyForm, fieldOf, formOf, type ProductForm } from './product-form.ts';

const good: ProductForm = { ...emptyForm('USD'), title: 'Mug', priceText: '12.50', category: 'home', tags: ['kitchen'] };

describe('product editor form', () => {
  it('turns a good form into a draft with the price in minor units', () => {
    expect(checkForm(good)).toEqual({ draft: { title: 'Mug', description: '', price: { amount: 1250, currency: 'USD' }, category: 'home', tags: ['kitchen'], images: [], status: 'active' }, errors: {} });
    expect(checkForm({ ...good, priceText: '1500', currency: 'JPY' }).draft?.price).toEqual({ amount: 1500, currency: 'JPY' });
    expect(checkForm({ ...good, priceText: '12,5' }).draft?.price.amount).toBe(1250);
  });

  it.each([
    ['an empty title', { title: '   ' }, 'title', /required/],
    ['a title too long', { title: 'x'.repeat(121) }, 'title', /at most 120/],
    ['no price', { priceText: '' }, 'price', /Type an amount/],
    ['a price of zero', { priceText: '0' }, 'price', /more than zero/],
    ['a negative price', { priceText: '-3' }, 'price', /negative/],
    ['cents in yen', { priceText: '12.5', currency: 'JPY' as const }, 'price', /no decimals/],
    ['a price with a thousands separator', { priceText: '1,234.50' }, 'price', /no thousands separators/],
    ['no category', { category: '' }, 'category', /required/],
    ['a tag listed twice', { tags: ['Red', 'red'] }, 'tags', /twice/],
    ['too many tags', { tags: Array.from({ length: 13 }, (_unused, index) => `t${index}`) }, 'tags', /at most 12/],
    ['a negative initial stock', { initialStock: -1 }, 'initialStock', /0 or more/],
    ['a description too long', { description: 'x'.repeat(5001) }, 'description', /at most 5000/],
  ])('puts %s next to its field', (_name, change, field, message) => {
    const { draft, errors } = checkForm({ ...good, ...change } as ProductForm);
    expect(draft).toBeNull();
    expect(errors[field as keyof typeof errors]).toMatch(message);
  });

  it('keeps markup as text (the UI never renders it as HTML)', () => {
    expect(checkForm({ ...good, title: '<img src=x onerror=alert(1)>' }).draft?.title).toBe('<img src=x onerror=alert(1)>');
  });

  it('maps domain error paths to inputs', () => {
    expect(fieldOf('price.amount')).toBe('price');
    expect(fieldOf('price.currency')).toBe('currency');
    expect(fieldOf('tags.3')).toBe('tags');
    expect(fieldOf('images.0.hash')).toBe('images');
    expect(fieldOf('nonsense')).toBeNull();
  });

  it('round-trips a stored product through the form', () => {
    const stored = product('p1', 1999, { title: 'Pen', tags: ['office'] });
    const { draft } = checkForm(formOf(stored));
    expect(draft).toEqual({ title: stored.title, description: stored.description, price: stored.price, category: stored.category, tags: stored.tags, images: stored.images, status: stored.status });
  });
});
