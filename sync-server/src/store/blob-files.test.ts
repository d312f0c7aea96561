/**
 * A data directory as the previous version left it (schema 4, images as files beside the
 * database): started with this version, every valid image is served from the store, the files are
 * moved aside (nothing deleted), and what fails a check is reported and left where it is.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { JPEG, png } from '../../../shared/domain/commerce/test-support/images.ts';
import type { RunningServer } from '../server.ts';
import { startTestServer, temporaryDir } from '../test-support/harness.ts';
import { STORE_KINDS, storeOverrides } from '../test-support/stores.ts';
import { blobHash, importBlobFiles, LEGACY_BLOB_DIR } from './blob-files.ts';
import { migrate, schemaVersion, SQLITE_MIGRATIONS } from './sqlite-migrations.ts';
import { SqliteStore } from './sqlite.ts';

let server: RunningServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

/** Where the previous version's `POST /api/blobs` wrote an image. */
function writeLegacyBlob(dataDir: string, tenant: string, bytes: Uint8Array, extension: string, name = blobHash(bytes)): string {
  const dir = path.join(dataDir, LEGACY_BLOB_DIR, tenant, name.slice(0, 2));
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, `${name}.${extension}`);
  writeFileSync(file, bytes, { mode: 0o600 });
  return file;
}

/** A data directory of the previous version: its database at the schema before blobs, with a tenant. */
function previousVersionDataDir(): string {
  const dataDir = temporaryDir();
  const db = new DatabaseSync(path.join(dataDir, 'plaza.db'));
  migrate(db, SQLITE_MIGRATIONS.slice(0, -1));
  db.prepare("INSERT INTO tenants(id, name, policy, created_at) VALUES ('acme', 'Acme', ?, 1)").run(JSON.stringify({ guestsMayBrowse: true, taxBps: 0, startingGrant: 0, currency: 'USD' }));
  db.close();
  return dataDir;
}

async function served(url: string): Promise<{ status: number; type: string | null; bytes: Uint8Array }> {
  const response = await fetch(url);
  return { status: response.status, type: response.headers.get('content-type'), bytes: new Uint8Array(await response.arrayBuffer()) };
}

describe('blob files of the previous version', () => {
  it('a data directory as the previous version wrote it: after the start, its images are served from the store and the files are moved aside; garbage is left, reported, and not served', async () => {
    const dataDir = previousVersionDataDir();
    const image = png(7, 7, 7);
    const photo = JPEG;
    writeLegacyBlob(dataDir, 'acme', image, 'png');
    writeLegacyBlob(dataDir, 'acme', photo, 'jpg');
    const notItsHash = png(1);
    writeLegacyBlob(dataDir, 'acme', notItsHash, 'png', 'f'.repeat(64));
    const htmlAsPng = new TextEncoder().encode('<!doctype html><script>alert(1)</script>');
    writeLegacyBlob(dataDir, 'acme', htmlAsPng, 'png');
    // An upload the previous version was writing when it stopped (written beside, then renamed).
    writeLegacyBlob(dataDir, 'acme', png(2), 'png.a1b2c3.tmp', blobHash(png(2)));

    server = await startTestServer({ dataDir });
    const db = new DatabaseSync(path.join(dataDir, 'plaza.db'), { readOnly: true });
    expect(schemaVersion(db)).toBe(SQLITE_MIGRATIONS.at(-1)!.version);
    db.close();
    for (const [bytes, type] of [[image, 'image/png'], [photo, 'image/jpeg']] as const) {
      expect(await served(`${server.url}/blobs/acme/${blobHash(bytes)}`)).toEqual({ status: 200, type, bytes });
    }
    expect((await served(`${server.url}/blobs/acme/${'f'.repeat(64)}`)).status).toBe(404);
    expect((await served(`${server.url}/blobs/acme/${blobHash(htmlAsPng)}`)).status).toBe(404);
    expect((await server.store.blobs.list('acme')).map((blob) => blob.hash).sort()).toEqual([blobHash(image), blobHash(photo)].sort());

    // The data directory holds nothing the store needs: the folder is renamed, every file still in it.
    expect(existsSync(path.join(dataDir, LEGACY_BLOB_DIR))).toBe(false);
    const [moved, ...others] = readdirSync(dataDir).filter((name) => name.startsWith(`${LEGACY_BLOB_DIR}-imported-`));
    expect(others).toEqual([]);
    const kept = readdirSync(path.join(dataDir, moved!), { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).map((entry) => entry.name);
    expect(kept).toHaveLength(5);
    expect(new Uint8Array(readFileSync(path.join(dataDir, moved!, 'acme', 'ff', `${'f'.repeat(64)}.png`)))).toEqual(notItsHash);

    // A restart does not import again, and the images stay.
    await server.close();
    server = await startTestServer({ dataDir });
    expect((await served(`${server.url}/blobs/acme/${blobHash(image)}`)).status).toBe(200);
    expect(readdirSync(dataDir).filter((name) => name.startsWith(`${LEGACY_BLOB_DIR}-imported-`))).toEqual([moved]);
  });

  it('reports each file it did not import, with the reason', async () => {
    const dataDir = temporaryDir();
    writeLegacyBlob(dataDir, 'acme', png(3), 'png');
    writeLegacyBlob(dataDir, 'acme', png(4), 'gif');
    writeLegacyBlob(dataDir, 'acme', JPEG, 'png');
    writeLegacyBlob(dataDir, 'acme', png(5), 'png', 'e'.repeat(64));
    mkdirSync(path.join(dataDir, LEGACY_BLOB_DIR, '..bad tenant'), { recursive: true });
    const store = SqliteStore.open(dataDir);
    try {
      const result = await importBlobFiles(dataDir, store.blobs, Date.UTC(2026, 11, 7));
      expect(result.imported).toBe(1);
      expect(result.present).toBe(0);
      expect(result.movedTo).toBe(path.join(dataDir, 'blobs-imported-2026-12-07T00-00-00-000Z'));
      expect(result.skipped.map((skipped) => skipped.reason).sort()).toEqual([
        'not a tenant folder',
        'not named <sha256>.<png|jpg|webp> in its hash-prefix folder',
        'the bytes are not a PNG image',
        'the bytes do not hash to the name',
      ]);
      expect(await importBlobFiles(dataDir, store.blobs, Date.now())).toEqual({ imported: 0, present: 0, skipped: [], movedTo: null });
    } finally {
      await store.close();
    }
  });

  it.each(STORE_KINDS)('on the %s store, files already in the store (an import cut short, or two data directories of a cluster) count as present', async (kind) => {
    const overrides = await storeOverrides(kind);
    const first = temporaryDir();
    const second = temporaryDir();
    const image = png(8, 8);
    writeLegacyBlob(first, 'acme', image, 'png');
    writeLegacyBlob(second, 'acme', image, 'png');
    server = await startTestServer({ dataDir: first, ...overrides });
    const result = await importBlobFiles(second, server.store.blobs, Date.now());
    expect(result).toMatchObject({ imported: 0, present: 1, skipped: [] });
    expect(await served(`${server.url}/blobs/acme/${blobHash(image)}`)).toEqual({ status: 200, type: 'image/png', bytes: image });
  });
});
