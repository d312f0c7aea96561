/**
 * What an uploaded image must look like before it is stored: one of the allowed types, and first
 * bytes that are those of the declared type (never trust a `Content-Type` header or a file name
 * alone). Used by the blob upload and by the import of the previous version's blob files.
 */
import { IMAGE_MIME_TYPES, type ImageMime } from './product.ts';

/** The file extension of each type (the previous version's blob files were named `<hash>.<ext>`). */
export const IMAGE_EXTENSION: Readonly<Record<ImageMime, string>> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' };

export function isImageMime(value: string): value is ImageMime {
  return (IMAGE_MIME_TYPES as readonly string[]).includes(value);
}

/** Whether the first bytes are those of the declared image type. */
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
