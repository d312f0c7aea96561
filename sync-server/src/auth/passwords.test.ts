import { describe, expect, it } from 'vitest';
import { parsePasswordHash, PasswordHasher } from './passwords.ts';

const fast = { N: 1024, r: 8, p: 1, keyLength: 32 };

describe('scrypt password hashes', () => {
  it('stores scrypt$N$r$p$salt$hash with a fresh salt, and verifies', async () => {
    const hasher = new PasswordHasher(fast);
    const one = await hasher.hash('a correct password');
    const two = await hasher.hash('a correct password');
    expect(one).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(one).not.toBe(two);
    expect(await hasher.verify('a correct password', one)).toEqual({ ok: true, needsRehash: false });
    expect(await hasher.verify('a wrong password', one)).toEqual({ ok: false, needsRehash: false });
  });

  it('normalizes Unicode, so the same password typed differently matches', async () => {
    const hasher = new PasswordHasher(fast);
    const stored = await hasher.hash('caf\u00e9-au-lait-42');
    expect((await hasher.verify('cafe\u0301-au-lait-42', stored)).ok).toBe(true);
  });

  it('reports a re-hash when the configured parameters changed, and verifies the old hash meanwhile', async () => {
    const old = await new PasswordHasher(fast).hash('keep me working');
    const stronger = new PasswordHasher({ ...fast, N: 2048 });
    expect(await stronger.verify('keep me working', old)).toEqual({ ok: true, needsRehash: true });
    expect(await stronger.verify('not it', old)).toEqual({ ok: false, needsRehash: false });
  });

  it('answers no (after the same work) without a stored hash or with a malformed one', async () => {
    const hasher = new PasswordHasher(fast);
    expect(await hasher.verify('anything', null)).toEqual({ ok: false, needsRehash: false });
    for (const bad of ['', 'plain', 'scrypt$3$8$1$c2FsdHNhbHQ$aGFzaA', 'bcrypt$10$x', 'scrypt$1024$8$1$$', `scrypt$${2 ** 30}$8$1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA`]) {
      expect(parsePasswordHash(bad)).toBeNull();
      expect((await hasher.verify('anything', bad)).ok).toBe(false);
    }
  });

  it('handles the default cost (N = 2^15, r = 8) within maxmem', async () => {
    const stored = await new PasswordHasher().hash('default-cost-password');
    expect(stored.startsWith('scrypt$32768$8$1$')).toBe(true);
    // Verifying reads the parameters from the hash, whatever the hasher is configured with.
    expect((await new PasswordHasher(fast).verify('default-cost-password', stored)).ok).toBe(true);
  });
});
