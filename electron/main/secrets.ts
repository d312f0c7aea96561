/**
 * Secrets (refresh tokens, the user's own LLM API key) encrypted with the OS keychain through
 * `safeStorage`'s async API and kept as files in the app's data folder. Without OS encryption the
 * store refuses to save rather than fall back to plain text.
 */
import { mkdir, readFile, rm, writeFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { secretNameSchema, secretValueSchema } from '../../shared/platform/bridge-schemas.ts';

export interface AsyncSafeStorage {
  isAsyncEncryptionAvailable(): Promise<boolean>;
  encryptStringAsync(plainText: string): Promise<Buffer>;
  decryptStringAsync(encrypted: Buffer): Promise<{ result: string; shouldReEncrypt: boolean }>;
}

export class SecretStoreError extends Error {
  override readonly name = 'SecretStoreError';
}

export class SecretStore {
  private readonly directory: string;
  private readonly storage: AsyncSafeStorage;

  constructor(directory: string, storage: AsyncSafeStorage) {
    this.directory = directory;
    this.storage = storage;
  }

  private fileFor(name: string): string {
    const parsed = secretNameSchema.safeParse(name);
    if (!parsed.success) throw new SecretStoreError(`invalid secret name: ${parsed.error.issues[0]?.message ?? 'bad name'}`);
    return path.join(this.directory, `${parsed.data.replaceAll(':', '__')}.secret`);
  }

  async save(name: string, value: string): Promise<void> {
    const file = this.fileFor(name);
    const checked = secretValueSchema.safeParse(value);
    if (!checked.success) throw new SecretStoreError(checked.error.issues[0]?.message ?? 'invalid secret');
    if (!(await this.storage.isAsyncEncryptionAvailable())) {
      throw new SecretStoreError('the operating system offers no encryption for secrets; nothing was saved');
    }
    const encrypted = await this.storage.encryptStringAsync(checked.data);
    await mkdir(this.directory, { recursive: true, mode: 0o700 });
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, encrypted, { mode: 0o600 });
    await rename(temporary, file);
  }

  async load(name: string): Promise<string | null> {
    const file = this.fileFor(name);
    let encrypted: Buffer;
    try {
      encrypted = await readFile(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    const { result, shouldReEncrypt } = await this.storage.decryptStringAsync(encrypted);
    if (shouldReEncrypt) await this.save(name, result);
    return result;
  }

  async delete(name: string): Promise<void> {
    await rm(this.fileFor(name), { force: true });
  }
}
