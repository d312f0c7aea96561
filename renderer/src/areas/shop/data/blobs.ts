/**
 * Product images: uploaded to the server's content-addressed blob store over HTTP (online only),
 * referenced from products by hash, shown from `/blobs/{tenant}/{hash}`.
 */
import { IMAGE_MIME_TYPES, PRODUCT_LIMITS, type ImageMime, type ProductImage } from '../../../../../shared/domain/commerce/product.ts';
import { err, ok, type DomainError, type Result } from '../../../../../shared/domain/result.ts';

export const IMAGE_ACCEPT = IMAGE_MIME_TYPES.join(',');

export function blobUrl(serverUrl: string, tenant: string, hash: string): string {
  return `${serverUrl.replace(/\/$/, '')}/blobs/${encodeURIComponent(tenant)}/${hash}`;
}

export type UploadError = DomainError<'type' | 'size' | 'offline' | 'refused'>;

/** Checks a picked file before any byte is sent (the server checks again, by magic bytes). */
export function checkImageFile(file: { readonly type: string; readonly size: number; readonly name: string }): Result<ImageMime, UploadError> {
  const type = IMAGE_MIME_TYPES.find((mime) => mime === file.type);
  if (type === undefined) return err({ code: 'type', message: `"${file.name}" is not a PNG, JPEG or WebP image.` });
  if (file.size === 0) return err({ code: 'size', message: `"${file.name}" is empty.` });
  if (file.size > PRODUCT_LIMITS.imageBytesMax) return err({ code: 'size', message: `"${file.name}" is ${(file.size / (1024 * 1024)).toFixed(1)} MB; images can be at most 5 MB.` });
  return ok(type);
}

export async function uploadImage(input: { serverUrl: string; token: string | null; file: File; fetchImpl?: typeof fetch }): Promise<Result<ProductImage, UploadError>> {
  const type = checkImageFile(input.file);
  if (!type.ok) return type;
  if (input.token === null) return err({ code: 'offline', message: 'Images are uploaded to the server: connect to add one. Everything else can be edited offline.' });
  let response: Response;
  try {
    response = await (input.fetchImpl ?? fetch)(`${input.serverUrl.replace(/\/$/, '')}/api/blobs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${input.token}`, 'content-type': type.value },
      body: input.file,
    });
  } catch {
    return err({ code: 'offline', message: 'The server cannot be reached; connect to upload images.' });
  }
  const body = (await response.json().catch(() => null)) as { hash?: string; mime?: ImageMime; size?: number; error?: { message?: string } } | null;
  if (!response.ok || !body?.hash || !body.mime || !body.size) return err({ code: 'refused', message: body?.error?.message ?? `The upload failed (${response.status}).` });
  return ok({ hash: body.hash, mime: body.mime, size: body.size });
}
