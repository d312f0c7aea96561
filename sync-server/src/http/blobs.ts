/**
 * Content-addressed blobs (product images) over HTTP.
 *
 * - `POST /api/blobs`: the raw bytes of one PNG, JPEG or WebP image, with its `Content-Type`.
 *   Only owners and admins of the token's tenant may upload (the token is verified and the role
 *   re-read from the store on every request). The body is read with a hard byte limit, its
 *   magic bytes must match the declared type, and it is stored under (tenant, sha256) in the store
 *   (`BlobStore`: SQLite or Postgres, so every server process serves it and backups carry it),
 *   once: the same bytes uploaded twice are the same blob (201 then 200, same body).
 * - `GET /blobs/:tenant/:hash`: the bytes, public by hash (an `<img>` cannot send a token), with
 *   the stored type, cached forever (the URL names the content), never sniffed, and sandboxed
 *   so that nothing served here can run as a page of this origin.
 */
import type { Context, Hono } from 'hono';
import { IMAGE_EXTENSION, isImageMime, magicMatches } from '../../../shared/domain/commerce/image-bytes.ts';
import { IMAGE_MIME_TYPES, PRODUCT_LIMITS, type ImageMime } from '../../../shared/domain/commerce/product.ts';
import { isTenantAdmin } from '../../../shared/sync/rooms.ts';
import type { Directory } from '../auth/directory.ts';
import type { TokenService } from '../auth/tokens.ts';
import type { Logger } from '../log.ts';
import { BLOB_HASH, BLOB_TENANT, blobHash } from '../store/blob-files.ts';
import type { BlobStore } from '../store/types.ts';
import { sendError } from './errors.ts';

/** Largest image accepted, in bytes (the product rule's limit: 5 MiB). */
export const BLOB_MAX_BYTES = PRODUCT_LIMITS.imageBytesMax;

export interface StoredBlob {
  readonly hash: string;
  readonly mime: ImageMime;
  readonly size: number;
  readonly url: string;
}

export interface BlobDeps {
  readonly blobs: BlobStore;
  readonly tokens: TokenService;
  readonly directory: Directory;
  readonly logger: Logger;
  readonly now: () => number;
  /** Defaults to `BLOB_MAX_BYTES`. */
  readonly maxBytes?: number;
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
    // The rest of a refused body is not read: the connection closes after the answer, so a client
    // never sends its next request behind the unread bytes (which the server drops after a while).
    const tooBig = () => {
      c.header('connection', 'close');
      return sendError(c, 413, 'payload_too_large', `an image can be at most ${limitText}`);
    };
    if (Number.isFinite(declared) && declared > maxBytes) return tooBig();
    const body = await readLimited(c, maxBytes);
    if (!body.ok) return body.tooBig ? tooBig() : sendError(c, 400, 'bad_request', 'the upload could not be read');
    if (body.bytes.byteLength === 0) return sendError(c, 400, 'bad_request', 'the upload is empty');
    if (!magicMatches(body.bytes, mime)) return sendError(c, 415, 'bad_request', `these bytes are not a ${IMAGE_EXTENSION[mime].toUpperCase()} image`);

    const hash = blobHash(body.bytes);
    // Keyed by (tenant, hash), once: two concurrent uploads of the same bytes store one blob.
    const { created, blob } = await deps.blobs.put({ tenant, hash, mime, data: body.bytes, createdAt: deps.now() });
    const answer: StoredBlob = { hash, mime: blob.mime, size: blob.size, url: `/blobs/${tenant}/${hash}` };
    if (!created) return c.json(answer, 200);
    deps.logger.info({ tenant, user, hash, mime, size: blob.size }, 'blob stored');
    return c.json(answer, 201);
  });

  app.get('/blobs/:tenant/:hash', async (c) => {
    const tenant = c.req.param('tenant');
    const hash = c.req.param('hash');
    if (!BLOB_TENANT.test(tenant) || !BLOB_HASH.test(hash)) return sendError(c, 400, 'bad_request', 'a blob address is /blobs/<tenant>/<sha256 as 64 lowercase hex digits>');
    const blob = await deps.blobs.get(tenant, hash);
    if (blob === null) return sendError(c, 404, 'not_found', 'no such blob');
    return c.body(new Uint8Array(blob.data), 200, {
      'content-type': blob.mime,
      'content-length': String(blob.data.byteLength),
      'cache-control': 'public, max-age=31536000, immutable',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox",
      etag: `"${hash}"`,
    });
  });
}
