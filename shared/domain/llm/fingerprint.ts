/**
 * A fingerprint of what a request asks the model, for loop detection: a hash of the request in a
 * canonical form, without Plaza's fields and without transport choices (`stream`,
 * `stream_options`, `user`), as 16 hex digits. Not cryptographic: a client that wants to dodge it
 * can, and then meets the rate, turn, idle and lifetime guards instead.
 *
 * The canonical form is fed to the hash piece by piece rather than built as one string: a chat
 * resends its whole history with every call (about 10 kB for 2,000 tokens), and this runs before
 * every call's first token.
 */
import type { ChatRequest } from './request.ts';

const IGNORED = new Set(['plaza_session_id', 'plaza_human_input', 'stream', 'stream_options', 'user']);

/** Two independent 32-bit multiply-xorshift lanes over UTF-16 code units: 64 bits of hash. */
class Hash64 {
  private a = 0xdeadbeef;
  private b = 0x41c6ce57;

  add(text: string): void {
    let { a, b } = this;
    for (let index = 0; index < text.length; index += 1) {
      const code = text.charCodeAt(index);
      a = Math.imul(a ^ code, 2_654_435_761);
      b = Math.imul(b ^ code, 1_597_334_677);
    }
    this.a = a;
    this.b = b;
  }

  digest(): string {
    let { a, b } = this;
    a = Math.imul(a ^ (a >>> 16), 2_246_822_507) ^ Math.imul(b ^ (b >>> 13), 3_266_489_909);
    b = Math.imul(b ^ (b >>> 16), 2_246_822_507) ^ Math.imul(a ^ (a >>> 13), 3_266_489_909);
    const hex = (value: number) => (value >>> 0).toString(16).padStart(8, '0');
    return hex(b) + hex(a);
  }
}

/** The object's keys that hold something (not `undefined`, not `null`), sorted, minus `skip`. */
function presentKeys(object: Record<string, unknown>, skip?: ReadonlySet<string>): string[] {
  return Object.keys(object)
    .filter((key) => object[key] !== undefined && object[key] !== null && !skip?.has(key))
    .sort();
}

/**
 * Feeds `value` in canonical form: object keys sorted, `undefined`/`null` fields dropped, array
 * holes as `null`. Every part says its kind and size first (strings their length), so that no
 * two different values feed the same text: `["ab","c"]` and `["a","bc"]` differ, as do `"1"` and `1`.
 */
function addCanonical(hash: Hash64, value: unknown, skip?: ReadonlySet<string>): void {
  if (typeof value === 'string') {
    hash.add(`s${value.length}:`);
    hash.add(value);
  } else if (Array.isArray(value)) {
    hash.add(`a${value.length}[`);
    for (const item of value as unknown[]) addCanonical(hash, item ?? null);
  } else if (typeof value === 'object' && value !== null) {
    const object = value as Record<string, unknown>;
    const keys = presentKeys(object, skip);
    hash.add(`o${keys.length}{`);
    for (const key of keys) {
      hash.add(`${key.length}:${key}`);
      addCanonical(hash, object[key]);
    }
  } else {
    hash.add(`v${JSON.stringify(value) ?? 'null'};`);
  }
}

export function requestFingerprint(request: ChatRequest): string {
  const hash = new Hash64();
  addCanonical(hash, request, IGNORED);
  return hash.digest();
}
