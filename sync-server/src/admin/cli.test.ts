import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { png } from '../../../shared/domain/commerce/test-support/images.ts';
import { roomNames } from '../../../shared/sync/rooms.ts';
import type { RunningServer } from '../server.ts';
import { blobHash } from '../store/blob-files.ts';
import { migrate, SQLITE_MIGRATIONS } from '../store/sqlite-migrations.ts';
import { addUser, rawClient, startTestServer, temporaryDir } from '../test-support/harness.ts';
import { ensureInfra, freshDatabase } from '../test-support/infra.ts';
import { CliError, runCli } from './cli.ts';

let server: RunningServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function cli(args: string[]): Promise<Record<string, unknown>> {
  const lines: string[] = [];
  await runCli(args, {}, (line) => lines.push(line));
  return JSON.parse(lines.join('\n')) as Record<string, unknown>;
}

describe('admin CLI', () => {
  it('works on the data directory when no server runs', async () => {
    const dataDir = temporaryDir();
    server = await startTestServer({ dataDir });
    await server.close();
    server = null;
    const created = await cli(['tenant-create', '--id', 'acme', '--name', 'Acme', '--data-dir', dataDir]);
    expect(created).toMatchObject({ via: 'data-dir', tenant: { id: 'acme', name: 'Acme' } });
    const user = (await cli(['user-create', '--tenant', 'acme', '--name', 'Ada', '--role', 'admin', '--data-dir', dataDir])) as { user: { id: string } };
    const token = (await cli(['token', '--tenant', 'acme', '--user', user.user.id, '--data-dir', dataDir])) as { token: string };
    server = await startTestServer({ dataDir });
    const verified = await server.tokens.verify(token.token);
    expect(verified.ok && verified.value).toMatchObject({ tenant: 'acme', user: user.user.id, role: 'admin' });
  });

  it('acts through the running server, so a removal disconnects the member at once', async () => {
    const dataDir = temporaryDir();
    server = await startTestServer({ dataDir });
    const user = (await cli(['user-create', '--tenant', 'default', '--name', 'Bo', '--data-dir', dataDir])) as { via: string; user: { id: string } };
    expect(user.via).toBe('server');
    const { token } = (await cli(['token', '--tenant', 'default', '--user', user.user.id, '--data-dir', dataDir])) as { token: string };
    const socket = rawClient(server, roomNames.user('default', user.user.id), token);
    await socket.opened;
    await cli(['role', '--tenant', 'default', '--user', user.user.id, '--role', 'none', '--data-dir', dataDir]);
    expect((await socket.closed).code).toBe(4403);
    const members = (await cli(['members', '--tenant', 'default', '--data-dir', dataDir])) as { members: unknown[] };
    expect(members.members).toEqual([]);
  });

  it('refuses bad input with clear errors', async () => {
    const dataDir = temporaryDir();
    server = await startTestServer({ dataDir });
    await expect(cli(['user-create', '--tenant', 'default', '--data-dir', dataDir])).rejects.toThrow(/--name is required/);
    await expect(cli(['role', '--tenant', 'default', '--user', 'nobody', '--role', 'admin', '--data-dir', dataDir])).rejects.toThrow(/no such user/);
    await expect(cli(['role', '--tenant', 'default', '--user', 'x', '--role', 'king', '--data-dir', dataDir])).rejects.toThrow(CliError);
    await expect(cli(['frobnicate', '--data-dir', dataDir])).rejects.toThrow(/unknown command/);
    await expect(cli(['tenants', '--bogus'])).rejects.toThrow(/Unknown option/);
    await expect(cli(['tenants', '--data-dir', '/nonexistent/plaza'])).rejects.toThrow(/no data directory/);
  });
});

describe('backup and restore', () => {
  it('backs up online while the server writes, and a restore brings back exactly that state', async () => {
    const dataDir = temporaryDir();
    server = await startTestServer({ dataDir });
    const before = (await cli(['user-create', '--tenant', 'default', '--name', 'Before', '--data-dir', dataDir])) as { user: { id: string } };
    const admin = await addUser(server, 'default', 'admin');
    const uploadImage = async (bytes: Uint8Array<ArrayBuffer>) =>
      (await fetch(`${server!.url}/api/blobs`, { method: 'POST', body: bytes, headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'image/png' } })).status;
    const imageBefore = png(1, 1);
    expect(await uploadImage(imageBefore)).toBe(201);
    // Writes keep going while the backup runs.
    let writing = true;
    const writer = (async () => {
      for (let index = 0; writing; index += 1) await server!.store.rooms.appendUpdate({ room: `t/default/u/x${index % 5}`, data: new Uint8Array([index % 256]), origin: { kind: 'server', reason: 'test' } });
    })();
    const out = path.join(temporaryDir(), 'copy.db');
    const backup = (await cli(['backup', '--out', out, '--data-dir', dataDir])) as { backup: string; bytes: number };
    writing = false;
    await writer;
    expect(backup.backup).toBe(out);
    expect(backup.bytes).toBeGreaterThan(0);
    await expect(cli(['backup', '--out', out, '--data-dir', dataDir])).rejects.toThrow(/exists/);
    const after = (await cli(['user-create', '--tenant', 'default', '--name', 'After', '--data-dir', dataDir])) as { user: { id: string } };
    const imageAfter = png(2, 2);
    expect(await uploadImage(imageAfter)).toBe(201);
    await expect(cli(['restore', '--from', out, '--data-dir', dataDir])).rejects.toThrow(/stop it before restoring/);
    await server.close();
    server = null;
    await expect(cli(['restore', '--from', '/nonexistent/copy.db', '--data-dir', dataDir])).rejects.toThrow(/no backup/);
    const garbage = path.join(temporaryDir(), 'garbage.db');
    writeFileSync(garbage, 'not a database at all, just text');
    await expect(cli(['restore', '--from', garbage, '--data-dir', dataDir])).rejects.toThrow(/not a Plaza backup/);
    const restored = (await cli(['restore', '--from', out, '--data-dir', dataDir])) as { previous: string };
    expect(restored.previous).toMatch(/before-restore/);
    server = await startTestServer({ dataDir });
    expect(await server.store.directory.user(before.user.id)).not.toBeNull();
    expect(await server.store.directory.user(after.user.id)).toBeNull();
    // The images are in the backup too: the one uploaded before it is served, the later one is not.
    const served = await fetch(`${server.url}/blobs/default/${blobHash(imageBefore)}`);
    expect(served.status).toBe(200);
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(imageBefore);
    expect((await fetch(`${server.url}/blobs/default/${blobHash(imageAfter)}`)).status).toBe(404);
  });

  it('restoring a backup made by the previous version (images were files then) keeps the images that the upgrade imported', async () => {
    const dataDir = temporaryDir();
    const db = new DatabaseSync(path.join(dataDir, 'plaza.db'));
    migrate(db, SQLITE_MIGRATIONS.slice(0, -1));
    const oldBackup = path.join(temporaryDir(), 'previous-version.db');
    db.prepare('VACUUM INTO ?').run(oldBackup);
    db.close();
    const image = png(4, 4);
    const hash = blobHash(image);
    mkdirSync(path.join(dataDir, 'blobs', 'default', hash.slice(0, 2)), { recursive: true });
    writeFileSync(path.join(dataDir, 'blobs', 'default', hash.slice(0, 2), `${hash}.png`), image);
    server = await startTestServer({ dataDir });
    expect((await fetch(`${server.url}/blobs/default/${hash}`)).status).toBe(200);
    await server.close();
    server = null;
    const restored = (await cli(['restore', '--from', oldBackup, '--data-dir', dataDir])) as { imagesImported: number };
    expect(restored.imagesImported).toBe(1);
    server = await startTestServer({ dataDir });
    const served = await fetch(`${server.url}/blobs/default/${hash}`);
    expect(served.status).toBe(200);
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(image);
  });

  it('a backup of a data directory of the previous version, never started since, carries its image files', async () => {
    const dataDir = temporaryDir();
    const db = new DatabaseSync(path.join(dataDir, 'plaza.db'));
    migrate(db, SQLITE_MIGRATIONS.slice(0, -1));
    db.close();
    const image = png(3, 3);
    const hash = blobHash(image);
    mkdirSync(path.join(dataDir, 'blobs', 'default', hash.slice(0, 2)), { recursive: true });
    writeFileSync(path.join(dataDir, 'blobs', 'default', hash.slice(0, 2), `${hash}.png`), image);
    const out = path.join(temporaryDir(), 'copy.db');
    await cli(['backup', '--out', out, '--data-dir', dataDir]);
    const copy = new DatabaseSync(out, { readOnly: true });
    try {
      expect(copy.prepare('SELECT tenant, mime, data FROM blobs WHERE hash = ?').get(hash)).toEqual({ tenant: 'default', mime: 'image/png', data: image });
    } finally {
      copy.close();
    }
  });

  it('works on a Postgres store when no server runs', async () => {
    const url = await freshDatabase(await ensureInfra(), 'cli');
    const lines: string[] = [];
    await runCli(['tenant-create', '--id', 'acme', '--name', 'Acme', '--data-dir', temporaryDir()], { PLAZA_DATABASE_URL: url }, (line) => lines.push(line));
    expect(JSON.parse(lines.join('\n'))).toMatchObject({ via: 'data-dir', tenant: { id: 'acme' } });
  });

  it('explains pg_dump for a Postgres store', async () => {
    const lines: string[] = [];
    await expect(runCli(['backup'], { PLAZA_DATABASE_URL: 'postgres://db/plaza' }, (line) => lines.push(line))).rejects.toThrow(/pg_dump --format=custom/);
  });
});
