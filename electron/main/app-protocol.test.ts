import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseContentSecurityPolicy } from '../../shared/platform/csp.ts';
import { APP_SCHEME_PRIVILEGES, createAppProtocolHandler, resolveAppFile } from './app-protocol.ts';

const root = '/opt/plaza/renderer';

describe('app:// path resolution', () => {
  it.each([
    ['app://plaza/', 'index.html'],
    ['app://plaza/index.html', 'index.html'],
    ['app://plaza/shop/product/42', 'index.html'],
    ['app://plaza/assets/index-abc.js', 'assets/index-abc.js'],
    ['app://plaza/favicon.svg', 'favicon.svg'],
  ])('%s → %s', (url, file) => {
    expect(resolveAppFile(root, url)).toBe(path.join(root, file));
  });

  it.each([
    ['app://plaza/../secret.txt', 'secret.txt'],
    ['app://plaza/assets/%2e%2e/%2e%2e/etc/secret.txt', 'etc/secret.txt'],
    ['app://plaza/assets/./../../../../x.js', 'x.js'],
  ])('dot segments are collapsed by URL parsing and stay inside the root: %s', (url, file) => {
    expect(resolveAppFile(root, url)).toBe(path.join(root, file));
  });

  it.each([
    'app://plaza/assets/..%2f..%2fetc%2fpasswd',
    'app://plaza/%5c..%5cwindows',
    'app://plaza/a%00.js',
    'app://plaza/%E0%A4%A',
    'app://other/index.html',
    'https://plaza/index.html',
    'file:///etc/passwd',
    'garbage',
  ])('refuses %s', (url) => {
    expect(resolveAppFile(root, url)).toBeNull();
  });

  it('is registered as a standard, secure scheme', () => {
    expect(APP_SCHEME_PRIVILEGES).toMatchObject({ scheme: 'app', privileges: { standard: true, secure: true } });
  });
});

describe('app:// handler', () => {
  const files: Record<string, string> = {
    [path.join(root, 'index.html')]: '<meta name="plaza-style-nonce" content="__PLAZA_STYLE_NONCE__"><script src="/assets/a.js"></script>',
    [path.join(root, 'assets/a.js')]: 'console.log(1)',
  };
  const handler = createAppProtocolHandler({
    rootDir: root,
    serverOrigin: () => 'https://sync.example.com:8443',
    read: async (file) => {
      const content = files[file];
      if (content === undefined) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
      return Buffer.from(content);
    },
    nonce: () => 'AAAAAAAAAAAAAAAAAAAAAAAA',
  });

  it('sends the CSP computed from the configured server with every page, and fills in the nonce', async () => {
    const response = await handler(new Request('app://plaza/chess'));
    expect(response.status).toBe(200);
    const policy = parseContentSecurityPolicy(response.headers.get('content-security-policy') ?? '');
    expect(policy.get('connect-src')).toEqual(["'self'", 'https://sync.example.com:8443', 'wss://sync.example.com:8443']);
    expect(policy.get('script-src')).toEqual(["'self'"]);
    expect(policy.get('style-src')).toEqual(["'self'", "'nonce-AAAAAAAAAAAAAAAAAAAAAAAA'"]);
    expect(response.headers.get('content-security-policy')).not.toContain('unsafe-eval');
    expect(await response.text()).toContain('content="AAAAAAAAAAAAAAAAAAAAAAAA"');
  });

  it('serves assets with a content type and nosniff; missing files and traversal are 404', async () => {
    const asset = await handler(new Request('app://plaza/assets/a.js'));
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(asset.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await handler(new Request('app://plaza/assets/missing.js'))).status).toBe(404);
    expect((await handler(new Request('app://plaza/assets/%2e%2e/%2e%2e/x.js'))).status).toBe(404);
    expect((await handler(new Request('app://plaza/x', { method: 'POST', body: 'x' }))).status).toBe(405);
  });
});
