/**
 * The product editor's form model: what the admin typed, the draft it becomes, and the domain's
 * field errors mapped onto the form's inputs. Pure, so the editor's rules are tested without a DOM.
 */
import { minorToDecimalString, parseMoneyInput, type CurrencyCode } from '../../../../../shared/domain/commerce/currency.ts';
import type { FieldError } from '../../../../../shared/domain/commerce/fields.ts';
import { validateProductDraft, type Product, type ProductDraft, type ProductImage } from '../../../../../shared/domain/commerce/product.ts';
import type { ProductStatus } from '../../../../../shared/domain/commerce/vocab.ts';
import type { Result } from '../../../../../shared/domain/result.ts';

export interface ProductForm {
  readonly title: string;
  readonly description: string;
  readonly priceText: string;
  readonly currency: CurrencyCode;
  readonly category: string;
  readonly tags: readonly string[];
  readonly images: readonly ProductImage[];
  readonly status: ProductStatus;
  /** New products only: units received with it (sent as a stock adjustment). */
  readonly initialStock: number | '';
}

export const FORM_FIELDS = ['title', 'description', 'price', 'currency', 'category', 'tags', 'images', 'status', 'initialStock'] as const;
export type FormField = (typeof FORM_FIELDS)[number];
export type FormErrors = Partial<Record<FormField, string>>;

export function emptyForm(currency: CurrencyCode): ProductForm {
  return { title: '', description: '', priceText: '', currency, category: '', tags: [], images: [], status: 'active', initialStock: '' };
}

export function formOf(product: Product): ProductForm {
  return {
    title: product.title,
    description: product.description,
    priceText: minorToDecimalString(product.price.amount, product.price.currency),
    currency: product.price.currency,
    category: product.category,
    tags: product.tags,
    images: product.images,
    status: product.status,
    initialStock: '',
  };
}

/** Which input a domain error path belongs to: `price.amount` → price, `tags.3` → tags. */
export function fieldOf(path: string): FormField | null {
  if (path === 'price.amount' || path === 'price') return 'price';
  if (path === 'price.currency') return 'currency';
  const top = path.split('.')[0] ?? '';
  return (FORM_FIELDS as readonly string[]).includes(top) ? (top as FormField) : null;
}

export function errorsOf(fields: readonly FieldError[]): FormErrors {
  const errors: FormErrors = {};
  for (const error of fields) {
    const field = fieldOf(error.field) ?? 'title';
    errors[field] ??= error.message;
  }
  return errors;
}

/**
 * The draft the domain validates, and every problem found, each next to its input. The price is
 * parsed as typed (`12.50`, `12,5`) in the chosen currency's minor units.
 */
export function checkForm(form: ProductForm): { readonly draft: ProductDraft | null; readonly errors: FormErrors } {
  const price = parseMoneyInput(form.priceText, form.currency);
  const input = {
    title: form.title,
    description: form.description,
    price: { amount: price.ok ? price.value : 1, currency: form.currency },
    category: form.category,
    tags: form.tags,
    images: form.images,
    status: form.status,
  };
  const validated: Result<ProductDraft, { fields: readonly FieldError[] }> = validateProductDraft(input);
  const errors: FormErrors = validated.ok ? {} : errorsOf(validated.error.fields);
  if (!price.ok) errors.price = price.error.message;
  if (form.initialStock !== '' && (!Number.isSafeInteger(form.initialStock) || form.initialStock < 0)) errors.initialStock = 'Initial stock is a whole number of units, 0 or more.';
  const ok = validated.ok && price.ok && errors.initialStock === undefined;
  return { draft: ok ? validated.value : null, errors };
}
