/**
 * Blobs in the store, and the way in for the blob files of the previous version.
 *
 * Up to schema 4 (SQLite) / 2 (Postgres) each server process kept its images as files in its own
 * data directory: `blobs/<tenant>/<first two hex digits>/<sha256>.<png|jpg|webp>`. At start, those
 * files are read, checked (the name is the sha256 of the bytes, the bytes are of the type the
 * extension says) and put into the store, where every process serves them and backups carry them.
 * Then the folder is renamed `blobs-imported-<time>`: nothing reads it any more, and nothing is
 * deleted (a file that failed a check stays there, and is reported).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { IMAGE_EXTENSION, magicMatches } from '../../../shared/domain/commerce/image-bytes.ts';
import { IMAGE_MIME_TYPES, type ImageMime } from '../../../shared/domain/commerce/product.ts';
import type { BlobStore } from './types.ts';

/** A blob address: the sha256 of its bytes, 64 lowercase hex digits. */
export const BLOB_HASH = /^[0-9a-f]{64}$/;
/** A tenant id as it may appear in a blob address. */
export const BLOB_TENANT = /^[A-Za-z0-9_-]{1,64}$/;

/** The folder of the previous version's blob files, inside the data directory. */
export const LEGACY_BLOB_DIR = 'blobs';

export function blobHash(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

const MIME_OF_EXTENSION = new Map<string, ImageMime>(IMAGE_MIME_TYPES.map((mime) => [IMAGE_EXTENSION[mime], mime]));

export interface BlobImport {
  readonly imported: number;
  /** Already in the store (an import interrupted before the rename, or the same image in two data directories). */
  readonly present: number;
  /** Files left where they are, with the reason (relative to the renamed folder). */
  readonly skipped: ReadonlyArray<{ readonly file: string; readonly reason: string }>;
  /** Where the folder went (or, for a `folder` import, where it is), or null when there was none. */
  readonly movedTo: string | null;
}

async function entries(dir: string): Promise<string[]> {
  return (await readdir(dir)).sort();
}

/** The prefix of the folders that `importBlobFiles` renamed (they still hold every file). */
export const IMPORTED_BLOB_DIR_PREFIX = `${LEGACY_BLOB_DIR}-imported-`;

/**
 * Imports `<dataDir>/blobs` (if any) into `blobs`, then renames the folder. `folder` imports
 * another folder of the same layout, left where it is (a restore of a backup older than the
 * blobs table takes the images back from the folders renamed by earlier imports).
 */
export async function importBlobFiles(dataDir: string, blobs: BlobStore, now: number, folder?: string): Promise<BlobImport> {
  const root = path.join(dataDir, folder ?? LEGACY_BLOB_DIR);
  if (!existsSync(root)) return { imported: 0, present: 0, skipped: [], movedTo: null };
  let imported = 0;
  let present = 0;
  const skipped: Array<{ file: string; reason: string }> = [];
  for (const tenant of await entries(root)) {
    const tenantDir = path.join(root, tenant);
    if (!(await stat(tenantDir)).isDirectory() || !BLOB_TENANT.test(tenant)) {
      skipped.push({ file: tenant, reason: 'not a tenant folder' });
      continue;
    }
    for (const prefix of await entries(tenantDir)) {
      const prefixDir = path.join(tenantDir, prefix);
      if (!(await stat(prefixDir)).isDirectory()) {
        skipped.push({ file: path.join(tenant, prefix), reason: 'not a hash-prefix folder' });
        continue;
      }
      for (const name of await entries(prefixDir)) {
        const file = path.join(tenant, prefix, name);
        const match = /^([0-9a-f]{64})\.([a-z]+)$/.exec(name);
        const mime = match ? MIME_OF_EXTENSION.get(match[2]!) : undefined;
        if (!match || mime === undefined || !match[1]!.startsWith(prefix)) {
          skipped.push({ file, reason: name.endsWith('.tmp') ? 'an upload that never finished' : 'not named <sha256>.<png|jpg|webp> in its hash-prefix folder' });
          continue;
        }
        const full = path.join(prefixDir, name);
        const data = new Uint8Array(await readFile(full));
        if (blobHash(data) !== match[1]) {
          skipped.push({ file, reason: 'the bytes do not hash to the name' });
          continue;
        }
        if (!magicMatches(data, mime)) {
          skipped.push({ file, reason: `the bytes are not a ${IMAGE_EXTENSION[mime].toUpperCase()} image` });
          continue;
        }
        const createdAt = Math.round((await stat(full)).mtimeMs);
        const { created } = await blobs.put({ tenant, hash: match[1]!, mime, data, createdAt });
        if (created) imported += 1;
        else present += 1;
      }
    }
  }
  if (folder !== undefined) return { imported, present, skipped, movedTo: root };
  // Only after every file is in the store (an interrupted import is simply run again at the next start).
  const movedTo = path.join(dataDir, `${IMPORTED_BLOB_DIR_PREFIX}${new Date(now).toISOString().replace(/[:.]/g, '-')}`);
  await rename(root, movedTo);
  return { imported, present, skipped, movedTo };
}
