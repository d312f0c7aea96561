/**
 * Password hashing with node:crypto scrypt, off the event loop (libuv's thread pool). Hashes are
 * stored as `scrypt$N$r$p$salt$hash` (salt and hash base64url), so that the parameters travel
 * with each hash: a hash made with weaker parameters than the configured ones still verifies and
 * is reported as needing a re-hash (done at the next successful sign-in).
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

export interface ScryptParams {
  /** CPU/memory cost, a power of two. */
  readonly N: number;
  readonly r: number;
  readonly p: number;
  readonly keyLength: number;
}

export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 15, r: 8, p: 1, keyLength: 32 };

const SALT_BYTES = 16;
const PREFIX = 'scrypt';

interface ParsedHash extends ScryptParams {
  readonly salt: Buffer;
  readonly hash: Buffer;
}

/** scrypt needs 128·N·r bytes; Node refuses above `maxmem` (32 MiB by default). */
function maxmemFor(params: ScryptParams): number {
  return 128 * params.N * params.r * 2 + 1024 * 1024;
}

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, params.keyLength, { N: params.N, r: params.r, p: params.p, maxmem: maxmemFor(params) }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

export function parsePasswordHash(stored: string): ParsedHash | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== PREFIX) return null;
  const [N, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  if (![N, r, p].every((value) => Number.isSafeInteger(value) && value > 0)) return null;
  if (N > 2 ** 22 || (N & (N - 1)) !== 0 || r > 64 || p > 64) return null;
  const salt = Buffer.from(parts[4] ?? '', 'base64url');
  const hash = Buffer.from(parts[5] ?? '', 'base64url');
  if (salt.length < 8 || hash.length < 16) return null;
  return { N, r, p, keyLength: hash.length, salt, hash };
}

export interface PasswordCheck {
  readonly ok: boolean;
  /** The hash was made with other parameters than the configured ones. */
  readonly needsRehash: boolean;
}

export class PasswordHasher {
  readonly params: ScryptParams;

  constructor(params: ScryptParams = DEFAULT_SCRYPT) {
    this.params = params;
  }

  async hash(password: string): Promise<string> {
    const salt = randomBytes(SALT_BYTES);
    const key = await derive(password, salt, this.params);
    const { N, r, p } = this.params;
    return `${PREFIX}$${N}$${r}$${p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
  }

  /**
   * Checks a password against a stored hash in constant time. With no stored hash (unknown email,
   * guest, deleted user) it does the same scrypt work and answers no, so that the answer's timing
   * does not tell whether the account exists.
   */
  async verify(password: string, stored: string | null): Promise<PasswordCheck> {
    const parsed = stored === null ? null : parsePasswordHash(stored);
    if (!parsed) {
      // The same work as a real check: the configured parameters with a throwaway salt.
      await derive(password, randomBytes(SALT_BYTES), this.params);
      return { ok: false, needsRehash: false };
    }
    const key = await derive(password, parsed.salt, parsed);
    const ok = key.length === parsed.hash.length && timingSafeEqual(key, parsed.hash);
    const { N, r, p, keyLength } = this.params;
    return { ok, needsRehash: ok && (parsed.N !== N || parsed.r !== r || parsed.p !== p || parsed.keyLength !== keyLength) };
  }

}
