import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JPEG, PNG, png, WEBP } from '../../../shared/domain/commerce/test-support/images.ts';
import type { RunningServer } from '../server.ts';
import { blobHash as sha256 } from '../store/blob-files.ts';
import { addUser, startTestServer } from '../test-support/harness.ts';
import { STORE_KINDS, storeOverrides } from '../test-support/stores.ts';
import { BLOB_MAX_BYTES } from './blobs.ts';

let server: RunningServer;
afterEach(async () => {
  await server?.close();
});

async function upload(body: BodyInit | null, headers: Record<string, string>): Promise<Response> {
  return fetch(`${server.url}/api/blobs`, { method: 'POST', body, headers, ...(body instanceof ReadableStream ? { duplex: 'half' } : {}) } as RequestInit);
}

const auth = (token: string, type = 'image/png') => ({ authorization: `Bearer ${token}`, 'content-type': type });

describe('POST /api/blobs and GET /blobs/:tenant/:hash', () => {
  it('an admin uploads an image: 201 with its sha256, then it is served with safe headers; the same bytes again are the same blob', async () => {
    server = await startTestServer();
    const admin = await addUser(server, 'acme', 'admin');
    const created = await upload(PNG, auth(admin.token));
    expect(created.status).toBe(201);
    const hash = sha256(PNG);
    expect(await created.json()).toEqual({ hash, mime: 'image/png', size: PNG.byteLength, url: `/blobs/acme/${hash}` });

    const again = await upload(PNG, auth(admin.token));
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ hash, url: `/blobs/acme/${hash}` });
    // One blob, in the store: nothing in the data directory (any process behind the load balancer serves it).
    expect(await server.store.blobs.list('acme')).toEqual([{ tenant: 'acme', hash, mime: 'image/png', size: PNG.byteLength, createdAt: expect.any(Number) }]);
    expect(existsSync(path.join(server.dataDir, 'blobs'))).toBe(false);

    const served = await fetch(`${server.url}/blobs/acme/${hash}`);
    expect(served.status).toBe(200);
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(PNG);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(served.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(served.headers.get('x-content-type-options')).toBe('nosniff');
    expect(served.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
  });

  it.each(STORE_KINDS)('on the %s store, concurrent uploads of the same bytes store one blob: one 201, the others 200 with the same body', async (kind) => {
    server = await startTestServer(await storeOverrides(kind));
    const admin = await addUser(server, 'acme', 'admin');
    const image = png(5, 6, 7, 8);
    const responses = await Promise.all([1, 2, 3].map(() => upload(image, auth(admin.token))));
    expect(responses.map((response) => response.status).sort()).toEqual([200, 200, 201]);
    const bodies = await Promise.all(responses.map((response) => response.json()));
    expect(new Set(bodies.map((body) => JSON.stringify(body))).size).toBe(1);
    expect((await server.store.blobs.list('acme')).map((blob) => blob.hash)).toEqual([sha256(image)]);
    expect(new Uint8Array(await (await fetch(`${server.url}/blobs/acme/${sha256(image)}`)).arrayBuffer())).toEqual(image);
  });

  it('the owner may upload JPEG and WebP too, each served with its own type', async () => {
    server = await startTestServer();
    const owner = await addUser(server, 'acme', 'owner');
    for (const [bytes, type] of [[JPEG, 'image/jpeg'], [WEBP, 'image/webp; charset=binary']] as const) {
      const response = await upload(bytes, auth(owner.token, type));
      expect(response.status).toBe(201);
      const served = await fetch(`${server.url}/blobs/acme/${sha256(bytes)}`);
      expect(served.headers.get('content-type')).toBe(type.split(';')[0]);
    }
  });

  it.each([
    ['no token', () => ({ 'content-type': 'image/png' }), 401, 'unauthorized'],
    ['a garbage token', () => auth('not.a.jwt'), 401, 'unauthorized'],
    ['a malformed Authorization header', () => ({ authorization: 'Basic abc', 'content-type': 'image/png' }), 401, 'unauthorized'],
  ] as const)('refuses %s', async (_name, headers, status, code) => {
    server = await startTestServer();
    const response = await upload(PNG, headers());
    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject({ error: { code } });
  });

  it('refuses members and guests (403), and a user whose admin role was taken away since the token was issued', async () => {
    server = await startTestServer();
    const member = await addUser(server, 'acme', 'member');
    const guest = await addUser(server, 'acme', 'guest');
    for (const user of [member, guest]) {
      const response = await upload(PNG, auth(user.token));
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ error: { code: 'forbidden' } });
    }
    const demoted = await addUser(server, 'acme', 'admin');
    await server.directory.setRole('acme', demoted.id, 'member');
    expect((await upload(PNG, auth(demoted.token))).status).toBe(403);
    const removed = await addUser(server, 'acme', 'admin');
    await server.directory.setRole('acme', removed.id, null);
    expect((await upload(PNG, auth(removed.token))).status).toBe(403);
  });

  it('stores under the token’s tenant only: an admin of another tenant cannot write into this one', async () => {
    server = await startTestServer();
    const other = await addUser(server, 'globex', 'admin');
    const response = await upload(PNG, auth(other.token));
    expect(response.status).toBe(201);
    const hash = sha256(PNG);
    expect((await response.json()) as { url: string }).toMatchObject({ url: `/blobs/globex/${hash}` });
    expect((await fetch(`${server.url}/blobs/acme/${hash}`)).status).toBe(404);
  });

  it.each([
    ['a type that is not an image', 'text/html', PNG],
    ['an image type that is not allowed', 'image/svg+xml', new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>')],
    ['no type', '', PNG],
    ['PNG bytes declared as JPEG', 'image/jpeg', PNG],
    ['HTML declared as PNG', 'image/png', new TextEncoder().encode('<!doctype html><script>alert(1)</script>')],
  ])('refuses %s with 415', async (_name, type, bytes) => {
    server = await startTestServer();
    const admin = await addUser(server, 'acme', 'admin');
    const response = await upload(bytes, { authorization: `Bearer ${admin.token}`, ...(type ? { 'content-type': type } : {}) });
    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({ error: { code: 'bad_request' } });
    expect(await server.store.blobs.list('acme')).toEqual([]);
  });

  it('refuses an empty body (400) and a body over 5 MB (413), declared or streamed', async () => {
    server = await startTestServer();
    const admin = await addUser(server, 'acme', 'admin');
    const empty = await upload(new Uint8Array(0), auth(admin.token));
    expect(empty.status).toBe(400);
    const big = new Uint8Array(BLOB_MAX_BYTES + 1);
    big.set(PNG);
    const declared = await upload(big, auth(admin.token));
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({ error: { code: 'payload_too_large' } });
    // The unread rest of the body ends that connection: the next request cannot queue behind it.
    expect(declared.headers.get('connection')).toBe('close');
    // No Content-Length (chunked): the limit still holds while reading.
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 0) controller.enqueue(PNG);
        const chunk = new Uint8Array(256 * 1024);
        sent += chunk.byteLength;
        controller.enqueue(chunk);
        if (sent > BLOB_MAX_BYTES + 1024 * 1024) controller.close();
      },
    });
    const streamed = await upload(stream, auth(admin.token));
    expect(streamed.status).toBe(413);
    const exact = new Uint8Array(BLOB_MAX_BYTES);
    exact.set(PNG);
    expect((await upload(exact, auth(admin.token))).status).toBe(201);
    // Only the image at the limit was stored: the refused bodies left nothing behind.
    expect((await server.store.blobs.list('acme')).map((blob) => blob.size)).toEqual([BLOB_MAX_BYTES]);
    const served = await fetch(`${server.url}/blobs/acme/${sha256(exact)}`);
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(exact);
  });

  it.each([
    ['a short hash', '/blobs/acme/abc', 400],
    ['upper-case hex', `/blobs/acme/${'A'.repeat(64)}`, 400],
    ['a path traversal', '/blobs/acme/..%2F..%2Fkeys%2Foperator.key', 400],
    ['a traversal in the tenant', `/blobs/..%2Fkeys/${'a'.repeat(64)}`, 400],
    ['a well-formed hash nobody uploaded', `/blobs/acme/${'a'.repeat(64)}`, 404],
  ])('GET with %s (%s) answers %i', async (_name, url, status) => {
    server = await startTestServer();
    const response = await fetch(`${server.url}${url}`);
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  });
});
