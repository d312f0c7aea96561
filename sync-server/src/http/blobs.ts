/**
 * Content-addressed blobs (product images) over HTTP.
 *
 * - `POST /api/blobs`: the raw bytes of one PNG, JPEG or WebP image, with its `Content-Type`.
 *   Only owners and admins of the token's tenant may upload (the token is verified and the role
 *   re-read from the store on every request). The body is read with a hard byte limit, its
 *   magic bytes must match the declared type, and it is stored under its sha256 in the data
 *   directory, once: the same bytes uploaded twice are the same blob (201 then 200, same body).
 * - `GET /blobs/:tenant/:hash`: the bytes, public by hash (an `<img>` cannot send a token), with
 *   the stored type, cached forever (the URL names the content), never sniffed, and sandboxed
 *   so that nothing served here can run as a page of this origin.
 */
import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Context, Hono } from 'hono';
import { IMAGE_MIME_TYPES, PRODUCT_LIMITS, type ImageMime } from '../../../shared/domain/commerce/product.ts';
import { isTenantAdmin } from '../../../shared/sync/rooms.ts';
import type { Directory } from '../auth/directory.ts';
import type { TokenService } from '../auth/tokens.ts';
import type { Logger } from '../log.ts';
import { sendError } from './errors.ts';

/** Largest image accepted, in bytes (the product rule's limit: 5 MiB). */
export const BLOB_MAX_BYTES = PRODUCT_LIMITS.imageBytesMax;

const HASH = /^[0-9a-f]{64}$/;
const TENANT = /^[A-Za-z0-9_-]{1,64}$/;

const EXTENSION: Readonly<Record<ImageMime, string>> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' };

export interface StoredBlob {
  readonly hash: string;
  readonly mime: ImageMime;
  readonly size: number;
  readonly url: string;
}

export interface BlobDeps {
  readonly dataDir: string;
  readonly tokens: TokenService;
  readonly directory: Directory;
  readonly logger: Logger;
  readonly now: () => number;
  /** Defaults to `BLOB_MAX_BYTES`. */
  readonly maxBytes?: number;
}

export function isImageMime(value: string): value is ImageMime {
  return (IMAGE_MIME_TYPES as readonly string[]).includes(value);
}

/** Whether the first bytes are those of the declared image type (never trust the header alone). */
export function magicMatches(bytes: Uint8Array, mime: ImageMime): boolean {
  const starts = (offset: number, expected: readonly number[]) => expected.every((byte, index) => bytes[offset + index] === byte);
  switch (mime) {
    case 'image/png':
      return starts(0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    case 'image/jpeg':
      return starts(0, [0xff, 0xd8, 0xff]);
    case 'image/webp':
      // "RIFF" <little-endian size> "WEBP"
      return bytes.length >= 12 && starts(0, [0x52, 0x49, 0x46, 0x46]) && starts(8, [0x57, 0x45, 0x42, 0x50]);
  }
}

function blobDir(dataDir: string, tenant: string, hash: string): string {
  return path.join(dataDir, 'blobs', tenant, hash.slice(0, 2));
}

function blobFile(dataDir: string, tenant: string, hash: string, mime: ImageMime): string {
  return path.join(blobDir(dataDir, tenant, hash), `${hash}.${EXTENSION[mime]}`);
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file, constants.F_OK);
    return true;
  } catch {
    return false;
  }
}

type BodyRead = { readonly ok: true; readonly bytes: Uint8Array } | { readonly ok: false; readonly tooBig: boolean };

/** Reads the request body, stopping (and cancelling the stream) as soon as it passes `limit`. */
async function readLimited(c: Context, limit: number): Promise<BodyRead> {
  const stream = c.req.raw.body;
  if (stream === null) return { ok: true, bytes: new Uint8Array(0) };
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        await reader.cancel().catch(() => undefined);
        return { ok: false, tooBig: true };
      }
      chunks.push(value);
    }
  } catch {
    return { ok: false, tooBig: false };
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { ok: true, bytes };
}

function bearer(c: Context): string | null {
  const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec((c.req.header('authorization') ?? '').trim());
  return match?.[1] ?? null;
}

function unauthorized(c: Context, message: string): Response {
  c.header('www-authenticate', 'Bearer realm="plaza"');
  return sendError(c, 401, 'unauthorized', message);
}

export function mountBlobs(app: Hono, deps: BlobDeps): void {
  const maxBytes = deps.maxBytes ?? BLOB_MAX_BYTES;

  app.post('/api/blobs', async (c) => {
    c.header('cache-control', 'no-store');
    const token = bearer(c);
    if (token === null) return unauthorized(c, 'sign in first: uploading needs an access token (Authorization: Bearer …)');
    const verified = await deps.tokens.verify(token, deps.now());
    if (!verified.ok) return unauthorized(c, verified.error.code === 'expired' ? 'the access token has expired; refresh the session' : 'the access token is not valid; sign in again');
    const { tenant, user } = verified.value;
    // The role in the token may be stale: re-read it (through the directory's short cache).
    const role = await deps.directory.role(tenant, user, deps.now());
    const record = role === null ? null : await deps.directory.user(user);
    if (role === null || record === null || record.deletedAt !== null) return sendError(c, 403, 'forbidden', 'you are not a member of this Plaza any more');
    if (!isTenantAdmin(role)) return sendError(c, 403, 'forbidden', 'only owners and admins of this shop may upload product images');

    const mime = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (!isImageMime(mime)) return sendError(c, 415, 'bad_request', `send the image as ${IMAGE_MIME_TYPES.join(', ')} (the Content-Type says "${mime.slice(0, 60)}")`);
    const declared = Number(c.req.header('content-length') ?? '0');
    const limitText = `${(maxBytes / (1024 * 1024)).toFixed(maxBytes % (1024 * 1024) === 0 ? 0 : 1)} MB`;
    if (Number.isFinite(declared) && declared > maxBytes) return sendError(c, 413, 'payload_too_large', `an image can be at most ${limitText}`);
    const body = await readLimited(c, maxBytes);
    if (!body.ok) return body.tooBig ? sendError(c, 413, 'payload_too_large', `an image can be at most ${limitText}`) : sendError(c, 400, 'bad_request', 'the upload could not be read');
    if (body.bytes.byteLength === 0) return sendError(c, 400, 'bad_request', 'the upload is empty');
    if (!magicMatches(body.bytes, mime)) return sendError(c, 415, 'bad_request', `these bytes are not a ${EXTENSION[mime].toUpperCase()} image`);

    const hash = createHash('sha256').update(body.bytes).digest('hex');
    const file = blobFile(deps.dataDir, tenant, hash, mime);
    const blob: StoredBlob = { hash, mime, size: body.bytes.byteLength, url: `/blobs/${tenant}/${hash}` };
    if (await exists(file)) return c.json(blob, 200);
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    // Write beside, then rename: a reader never sees half a file, and two concurrent uploads of
    // the same bytes both end with the one complete file.
    const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(temporary, body.bytes, { mode: 0o600 });
      await rename(temporary, file);
    } finally {
      await rm(temporary, { force: true });
    }
    deps.logger.info({ tenant, user, hash, mime, size: blob.size }, 'blob stored');
    return c.json(blob, 201);
  });

  app.get('/blobs/:tenant/:hash', async (c) => {
    const tenant = c.req.param('tenant');
    const hash = c.req.param('hash');
    if (!TENANT.test(tenant) || !HASH.test(hash)) return sendError(c, 400, 'bad_request', 'a blob address is /blobs/<tenant>/<sha256 as 64 lowercase hex digits>');
    for (const mime of IMAGE_MIME_TYPES) {
      const file = blobFile(deps.dataDir, tenant, hash, mime);
      let bytes: Buffer;
      try {
        bytes = await readFile(file);
      } catch {
        continue;
      }
      return c.body(new Uint8Array(bytes), 200, {
        'content-type': mime,
        'content-length': String(bytes.byteLength),
        'cache-control': 'public, max-age=31536000, immutable',
        'x-content-type-options': 'nosniff',
        'content-security-policy': "default-src 'none'; sandbox",
        etag: `"${hash}"`,
      });
    }
    return sendError(c, 404, 'not_found', 'no such blob');
  });
}
