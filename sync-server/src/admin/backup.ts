/**
 * Backups of the embedded store, online: `VACUUM INTO` reads one snapshot of the database (WAL
 * readers never block the server's writes) and writes a compact copy. Restore refuses while a
 * server runs on the data directory, checks the copy (integrity, schema not newer than this
 * Plaza), keeps the current database aside, and puts the copy in its place; the next start
 * migrates it if it is older. Postgres is backed up with its own tools (README "Backups").
 */
import { copyFileSync, existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { IMPORTED_BLOB_DIR_PREFIX, importBlobFiles } from '../store/blob-files.ts';
import { BLOBS_SCHEMA_VERSION, SQLITE_MIGRATIONS } from '../store/sqlite-migrations.ts';
import { SqliteStore } from '../store/sqlite.ts';

export const DATABASE_FILE = 'plaza.db';

export class BackupError extends Error {
  override readonly name = 'BackupError';
}

export const POSTGRES_BACKUP_HELP = `The store is Postgres (PLAZA_DATABASE_URL): back it up online with Postgres's own tool, which reads
one consistent snapshot while the servers run:
  pg_dump --format=custom --file=plaza.dump "$PLAZA_DATABASE_URL"
and restore into an empty database (servers stopped), then start the servers:
  pg_restore --no-owner --dbname="$PLAZA_DATABASE_URL" plaza.dump`;

function defaultBackupName(): string {
  return `plaza-backup-${new Date().toISOString().replace(/[:.]/g, '-')}.db`;
}

/** Writes a consistent copy of the data directory's database; returns the file written. */
export async function backupDataDir(dataDir: string, out?: string): Promise<{ file: string; bytes: number }> {
  const source = path.join(dataDir, DATABASE_FILE);
  if (!existsSync(source)) throw new BackupError(`no database at ${source}`);
  const file = path.resolve(out ?? path.join(dataDir, 'backups', defaultBackupName()));
  const store = SqliteStore.open(dataDir);
  try {
    // A data directory of the previous version, not started since: its image files go in too.
    await importBlobFiles(dataDir, store.blobs, Date.now());
    await store.backup(file);
  } finally {
    await store.close();
  }
  const check = new DatabaseSync(file, { readOnly: true });
  try {
    const { n } = check.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get() as { n: number };
    if (n === 0) throw new BackupError('the backup has no schema');
  } finally {
    check.close();
  }
  const { statSync } = await import('node:fs');
  return { file, bytes: statSync(file).size };
}

/** The schema version of a backup file, after checking that it is an intact Plaza database this version can read. */
function checkedBackupVersion(backup: string): number {
  const check = new DatabaseSync(backup, { readOnly: true });
  try {
    const integrity = check.prepare('PRAGMA integrity_check').get() as { integrity_check: string };
    if (integrity.integrity_check !== 'ok') throw new BackupError(`the backup is damaged: ${integrity.integrity_check}`);
    const { version } = check.prepare('SELECT MAX(version) AS version FROM schema_migrations').get() as { version: number | null };
    const latest = SQLITE_MIGRATIONS.at(-1)!.version;
    if (version === null) throw new BackupError('the file is not a Plaza backup (no schema)');
    if (version > latest) throw new BackupError(`the backup was written by a newer Plaza (schema ${version}, this version knows ${latest})`);
    return version;
  } catch (error) {
    if (error instanceof BackupError) throw error;
    throw new BackupError(`the file is not a Plaza backup: ${(error as Error).message}`);
  } finally {
    check.close();
  }
}

/** Replaces the data directory's database with a backup (no server may run on it). */
export async function restoreDataDir(dataDir: string, from: string, serverRunning: boolean): Promise<{ restored: string; previous: string | null; imagesImported: number }> {
  if (serverRunning) throw new BackupError('a server runs on this data directory: stop it before restoring');
  const backup = path.resolve(from);
  if (!existsSync(backup)) throw new BackupError(`no backup at ${backup}`);
  const backupVersion = checkedBackupVersion(backup);
  const target = path.join(dataDir, DATABASE_FILE);
  let previous: string | null = null;
  if (existsSync(target)) {
    // Fold the WAL in first, so that the file kept aside is complete on its own.
    const current = new DatabaseSync(target);
    current.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    current.close();
    previous = `${target}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    renameSync(target, previous);
  }
  for (const suffix of ['-wal', '-shm']) rmSync(`${target}${suffix}`, { force: true });
  copyFileSync(backup, target);
  // Opening applies any newer migrations now, so a problem shows here rather than at start.
  const store = SqliteStore.open(dataDir);
  let imagesImported = 0;
  try {
    // A backup from before images were in the store has none: take them back from the files that
    // an earlier import moved aside (and from a `blobs/` folder never imported).
    if (backupVersion < BLOBS_SCHEMA_VERSION) {
      const folders = readdirSync(dataDir).filter((name) => name.startsWith(IMPORTED_BLOB_DIR_PREFIX)).sort();
      for (const folder of folders) imagesImported += (await importBlobFiles(dataDir, store.blobs, Date.now(), folder)).imported;
      imagesImported += (await importBlobFiles(dataDir, store.blobs, Date.now())).imported;
    }
  } finally {
    await store.close();
  }
  return { restored: target, previous, imagesImported };
}
