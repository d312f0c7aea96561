import { describe, expect, it } from 'vitest';
import { isImageMime, magicMatches } from './image-bytes.ts';
import { JPEG, PNG, WEBP } from './test-support/images.ts';

describe('magic bytes', () => {
  it.each([
    ['png', PNG, 'image/png', true],
    ['jpeg', JPEG, 'image/jpeg', true],
    ['webp', WEBP, 'image/webp', true],
    ['png bytes declared jpeg', PNG, 'image/jpeg', false],
    ['jpeg bytes declared webp', JPEG, 'image/webp', false],
    ['riff without WEBP (a WAV) declared webp', new Uint8Array([0x52, 0x49, 0x46, 0x46, 4, 0, 0, 0, 0x57, 0x41, 0x56, 0x45]), 'image/webp', false],
    ['truncated png', PNG.slice(0, 4), 'image/png', false],
    ['html declared png', new TextEncoder().encode('<html><script>alert(1)</script>'), 'image/png', false],
  ] as const)('%s', (_name, bytes, mime, expected) => {
    expect(magicMatches(bytes, mime)).toBe(expected);
  });

  it.each([
    ['image/png', true],
    ['image/webp', true],
    ['image/svg+xml', false],
    ['IMAGE/PNG', false],
    ['', false],
  ])('%s is an allowed image type: %s', (mime, expected) => {
    expect(isImageMime(mime)).toBe(expected);
  });
});
