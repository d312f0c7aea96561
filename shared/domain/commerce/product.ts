/**
 * Products: the record an admin edits and the catalog room stores. `validateProduct` is the one
 * gate for both the admin editor (its field errors go next to the form fields) and the catalog
 * projection (a product that fails it was tampered with and is hidden, and reported). Parsed is
 * not valid: the only way to a `Product` is through these functions.
 */
import { minor } from '../money.ts';
import { err, ok, type DomainError, type Result } from '../result.ts';
import { CURRENCY_CODES, type Money } from './currency.ts';
import { addError, readArray, readChoice, readInteger, readObject, readText, type FieldError, type FieldErrors } from './fields.ts';
import { foldText } from './text.ts';
import { isEntityId, LIMITS, PRODUCT_STATUSES, type EpochMs, type ProductStatus } from './vocab.ts';

export const IMAGE_MIME_TYPES = ['image/png', 'image/jpeg', 'image/webp'] as const;
export type ImageMime = (typeof IMAGE_MIME_TYPES)[number];

/** Suggested categories (the editor offers them); any other text up to 40 characters is allowed. */
export const PRODUCT_CATEGORIES = ['apparel', 'books', 'electronics', 'food', 'games', 'home', 'music', 'sports', 'toys', 'other'] as const;

export const PRODUCT_LIMITS = {
  titleMax: 120,
  descriptionMax: 5_000,
  categoryMax: 40,
  tagsMax: 12,
  tagMax: 24,
  imagesMax: 8,
  /** 5 MiB. */
  imageBytesMax: 5 * 1024 * 1024,
} as const;

/** A product picture, stored as a content-addressed blob and served by its hash. */
export interface ProductImage {
  /** sha256 of the bytes, 64 lowercase hex digits. */
  readonly hash: string;
  readonly mime: ImageMime;
  /** Bytes. */
  readonly size: number;
}

/** What the admin editor edits. */
export interface ProductDraft {
  readonly title: string;
  readonly description: string;
  readonly price: Money;
  readonly category: string;
  readonly tags: readonly string[];
  readonly images: readonly ProductImage[];
  readonly status: ProductStatus;
}

/** A valid catalog product. `version` counts edits: 1 when created, +1 per saved edit. */
export interface Product extends ProductDraft {
  readonly id: string;
  readonly createdAt: EpochMs;
  readonly updatedAt: EpochMs;
  readonly version: number;
}

export interface ProductError extends DomainError<'invalid-product'> {
  /** One entry per problem, for the form; paths such as `title`, `price.amount`, `tags.2`. */
  readonly fields: readonly FieldError[];
}

const DRAFT_KEYS = ['title', 'description', 'price', 'category', 'tags', 'images', 'status'] as const;
const PRODUCT_KEYS = ['id', ...DRAFT_KEYS, 'createdAt', 'updatedAt', 'version'] as const;
const SHA256_HEX = /^[0-9a-f]{64}$/;

function invalid(fields: FieldErrors): Result<never, ProductError> {
  const first = fields[0];
  const summary = first === undefined ? 'The product is not valid.' : fields.length === 1 ? first.message : `${first.message} (and ${fields.length - 1} more problems)`;
  return err({ code: 'invalid-product', message: summary, fields });
}

function readPrice(value: unknown, errors: FieldErrors): Money | undefined {
  const price = readObject(value, 'price', ['amount', 'currency'], 'Price', errors);
  if (price === undefined) return undefined;
  const amount = readInteger(price.amount, 'price.amount', {
    label: 'Price',
    min: 1,
    max: LIMITS.maxPriceMinor,
    rangeMessage: `Price must be more than zero and at most ${LIMITS.maxPriceMinor.toLocaleString('en-US')} minor units.`,
  }, errors);
  const currency = readChoice(price.currency, 'price.currency', CURRENCY_CODES, 'Currency', errors);
  return amount === undefined || currency === undefined ? undefined : { amount: minor(amount), currency };
}

function readTags(value: unknown, errors: FieldErrors): string[] | undefined {
  const items = readArray(value, 'tags', PRODUCT_LIMITS.tagsMax, 'Tags', errors);
  if (items === undefined) return undefined;
  const tags: string[] = [];
  const seen = new Set<string>();
  let failed = false;
  items.forEach((item, index) => {
    const tag = readText(item, `tags.${index}`, { label: 'A tag', min: 1, max: PRODUCT_LIMITS.tagMax }, errors);
    if (tag === undefined) failed = true;
    else if (seen.has(foldText(tag))) {
      addError(errors, `tags.${index}`, 'duplicate', `The tag "${tag}" is listed twice.`);
      failed = true;
    } else {
      seen.add(foldText(tag));
      tags.push(tag);
    }
  });
  return failed ? undefined : tags;
}

function readImage(value: unknown, field: string, errors: FieldErrors): ProductImage | undefined {
  const image = readObject(value, field, ['hash', 'mime', 'size'], 'An image', errors);
  if (image === undefined) return undefined;
  let hash: string | undefined;
  if (typeof image.hash !== 'string') addError(errors, `${field}.hash`, image.hash === undefined ? 'required' : 'wrong-type', 'An image needs its sha256 hash.');
  else if (!SHA256_HEX.test(image.hash)) addError(errors, `${field}.hash`, 'invalid-format', 'An image hash is 64 lowercase hexadecimal digits (sha256).');
  else hash = image.hash;
  const mime = readChoice(image.mime, `${field}.mime`, IMAGE_MIME_TYPES, 'Image type', errors);
  const size = readInteger(image.size, `${field}.size`, {
    label: 'Image size',
    min: 1,
    max: PRODUCT_LIMITS.imageBytesMax,
    rangeMessage: 'An image can be at most 5 MB.',
  }, errors);
  return hash === undefined || mime === undefined || size === undefined ? undefined : { hash, mime, size };
}

function readImages(value: unknown, errors: FieldErrors): ProductImage[] | undefined {
  const items = readArray(value, 'images', PRODUCT_LIMITS.imagesMax, 'Images', errors);
  if (items === undefined) return undefined;
  const images: ProductImage[] = [];
  const seen = new Set<string>();
  let failed = false;
  items.forEach((item, index) => {
    const image = readImage(item, `images.${index}`, errors);
    if (image === undefined) failed = true;
    else if (seen.has(image.hash)) {
      addError(errors, `images.${index}`, 'duplicate', 'This image is already attached.');
      failed = true;
    } else {
      seen.add(image.hash);
      images.push(image);
    }
  });
  return failed ? undefined : images;
}

function readDraftFields(input: Record<string, unknown>, errors: FieldErrors): ProductDraft | undefined {
  const title = readText(input.title, 'title', { label: 'Title', min: 1, max: PRODUCT_LIMITS.titleMax }, errors);
  const description = readText(input.description, 'description', { label: 'Description', min: 0, max: PRODUCT_LIMITS.descriptionMax, multiline: true }, errors);
  const price = readPrice(input.price, errors);
  const category = readText(input.category, 'category', { label: 'Category', min: 1, max: PRODUCT_LIMITS.categoryMax }, errors);
  const tags = readTags(input.tags, errors);
  const images = readImages(input.images, errors);
  const status = readChoice(input.status, 'status', PRODUCT_STATUSES, 'Status', errors);
  if (title === undefined || description === undefined || price === undefined || category === undefined) return undefined;
  if (tags === undefined || images === undefined || status === undefined) return undefined;
  return { title, description, price, category, tags, images, status };
}

/** Validates what the editor submits (no id, no timestamps). Text comes back cleaned. */
export function validateProductDraft(input: unknown): Result<ProductDraft, ProductError> {
  const errors: FieldErrors = [];
  const object = readObject(input, '', DRAFT_KEYS, 'A product', errors);
  const draft = object === undefined ? undefined : readDraftFields(object, errors);
  return draft === undefined || errors.length > 0 ? invalid(errors) : ok(draft);
}

/** Validates a whole stored product, e.g. an entry of the catalog room. */
export function validateProduct(input: unknown): Result<Product, ProductError> {
  const errors: FieldErrors = [];
  const object = readObject(input, '', PRODUCT_KEYS, 'A product', errors);
  if (object === undefined) return invalid(errors);
  const id = isEntityId(object.id) ? object.id : addError(errors, 'id', object.id === undefined ? 'required' : 'invalid-format', 'A product id is 1–64 letters, digits, "-" or "_".');
  const draft = readDraftFields(object, errors);
  const time = { label: 'A timestamp', min: 0, max: Number.MAX_SAFE_INTEGER };
  const createdAt = readInteger(object.createdAt, 'createdAt', time, errors);
  const updatedAt = readInteger(object.updatedAt, 'updatedAt', time, errors);
  const version = readInteger(object.version, 'version', { label: 'Version', min: 1, max: Number.MAX_SAFE_INTEGER }, errors);
  if (createdAt !== undefined && updatedAt !== undefined && updatedAt < createdAt) {
    addError(errors, 'updatedAt', 'out-of-range', 'A product cannot be updated before it was created.');
  }
  if (id === undefined || draft === undefined || createdAt === undefined || updatedAt === undefined || version === undefined || errors.length > 0) {
    return invalid(errors);
  }
  return ok({ id, ...draft, createdAt, updatedAt, version });
}

/** A new product from the editor's draft; `id` comes from the edge, `now` from the caller. */
export function createProduct(input: unknown, id: string, now: EpochMs): Result<Product, ProductError> {
  const draft = validateProductDraft(input);
  if (!draft.ok) return draft;
  return validateProduct({ id, ...draft.value, createdAt: now, updatedAt: now, version: 1 });
}

/**
 * The next version of `existing` after an edit. `updatedAt` never goes backwards, even when the
 * editing device's clock is behind the one that saved the previous version.
 */
export function updateProduct(existing: Product, input: unknown, now: EpochMs): Result<Product, ProductError> {
  const draft = validateProductDraft(input);
  if (!draft.ok) return draft;
  return validateProduct({
    id: existing.id,
    ...draft.value,
    createdAt: existing.createdAt,
    updatedAt: Math.max(now, existing.updatedAt),
    version: existing.version + 1,
  });
}

/** Category key for grouping and filtering: `Home & Garden` → `home-garden`, accents folded. */
export function categorySlug(category: string): string {
  return foldText(category)
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** Builds the lookup the referee and the cart use; later entries with the same id win. */
export function catalogOf(products: Iterable<Product>): ReadonlyMap<string, Product> {
  const catalog = new Map<string, Product>();
  for (const product of products) catalog.set(product.id, product);
  return catalog;
}
