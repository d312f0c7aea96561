/**
 * A fingerprint of what a request asks the model, for loop detection: the canonical JSON of the
 * request without Plaza's fields and without transport choices (`stream`, `stream_options`,
 * `user`), hashed to 16 hex digits. Not cryptographic: a client that wants to dodge it can, and
 * then meets the rate, turn, idle and lifetime guards instead.
 */
import type { ChatRequest } from './request.ts';

const IGNORED = new Set(['plaza_session_id', 'plaza_human_input', 'stream', 'stream_options', 'user']);

/** JSON with object keys sorted and `undefined`/`null` fields dropped, so equal requests are equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item === undefined ? null : item)).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, item]) => item !== undefined && item !== null)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Two independent 32-bit multiply-xorshift lanes over UTF-16 code units: 64 bits of hash. */
function hash64(text: string): string {
  let a = 0xdeadbeef;
  let b = 0x41c6ce57;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    a = Math.imul(a ^ code, 2_654_435_761);
    b = Math.imul(b ^ code, 1_597_334_677);
  }
  a = Math.imul(a ^ (a >>> 16), 2_246_822_507) ^ Math.imul(b ^ (b >>> 13), 3_266_489_909);
  b = Math.imul(b ^ (b >>> 16), 2_246_822_507) ^ Math.imul(a ^ (a >>> 13), 3_266_489_909);
  const hex = (value: number) => (value >>> 0).toString(16).padStart(8, '0');
  return hex(b) + hex(a);
}

export function requestFingerprint(request: ChatRequest): string {
  const asked = Object.fromEntries(Object.entries(request).filter(([key]) => !IGNORED.has(key)));
  return hash64(canonicalJson(asked));
}
