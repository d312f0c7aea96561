import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SecretStore, type AsyncSafeStorage } from './secrets.ts';

/** Stands in for Electron's safeStorage (no Electron binary runs in unit tests). */
function fakeSafeStorage(available = true): AsyncSafeStorage & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    isAsyncEncryptionAvailable: async () => available,
    encryptStringAsync: async (plain) => {
      calls.push('encrypt');
      return Buffer.from(`enc:${Buffer.from(plain).toString('base64')}`);
    },
    decryptStringAsync: async (encrypted) => {
      calls.push('decrypt');
      const text = encrypted.toString();
      if (!text.startsWith('enc:')) throw new Error('cannot decrypt');
      return { result: Buffer.from(text.slice(4), 'base64').toString(), shouldReEncrypt: false };
    },
  };
}

describe('secret store', () => {
  it('round-trips through the async safeStorage API and never writes plain text', async () => {
    const directory = mkdtempSync(path.join(os.tmpdir(), 'plaza-secrets-'));
    const storage = fakeSafeStorage();
    const store = new SecretStore(directory, storage);
    await store.save('refresh:server:tenant', 'super-secret-token');
    const [file] = readdirSync(directory);
    expect(readFileSync(path.join(directory, file!), 'utf8')).not.toContain('super-secret-token');
    expect(await store.load('refresh:server:tenant')).toBe('super-secret-token');
    expect(storage.calls).toEqual(['encrypt', 'decrypt']);
    await store.delete('refresh:server:tenant');
    expect(await store.load('refresh:server:tenant')).toBeNull();
  });

  it('refuses to save when the OS offers no encryption', async () => {
    const store = new SecretStore(mkdtempSync(path.join(os.tmpdir(), 'plaza-secrets-')), fakeSafeStorage(false));
    await expect(store.save('key', 'value')).rejects.toThrow(/no encryption/);
  });

  it('rejects names that could escape the folder', async () => {
    const store = new SecretStore(mkdtempSync(path.join(os.tmpdir(), 'plaza-secrets-')), fakeSafeStorage());
    for (const name of ['../x', '/etc/passwd', 'a/b', '', 'A', 'x'.repeat(300)]) {
      await expect(store.save(name, 'v')).rejects.toThrow(/invalid secret name/);
    }
  });
});
