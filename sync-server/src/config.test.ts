import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

const load = (argv: string[], env: Record<string, string> = {}) => loadConfig(argv, env);

describe('server configuration', () => {
  it('has embedded defaults that need nothing installed', () => {
    const result = load([]);
    expect(result.kind).toBe('config');
    if (result.kind !== 'config') return;
    expect(result.config).toMatchObject({ host: '127.0.0.1', port: 8787, logLevel: 'info' });
    expect(result.config.dataDir).toMatch(/\.plaza-data$/);
  });

  it('flags win over environment variables', () => {
    const result = load(['--port', '9000'], { PLAZA_PORT: '8000', PLAZA_HOST: '0.0.0.0' });
    expect(result.kind === 'config' && result.config.port).toBe(9000);
    expect(result.kind === 'config' && result.config.host).toBe('0.0.0.0');
  });

  it.each([
    [['--port', 'abc'], {}, /--port: .*number/],
    [['--port', '70000'], {}, /--port: .*65535/],
    [[], { PLAZA_PORT: '-1' }, /PLAZA_PORT: /],
    [[], { PLAZA_LOG_LEVEL: 'loud' }, /PLAZA_LOG_LEVEL: /],
    [['--tls-cert', '/x.pem'], {}, /TLS needs both a certificate and a key/],
    [['--bogus'], {}, /Unknown option '--bogus'/],
    [['positional'], {}, /positional/],
    [[], { PLAZA_SHUTDOWN_GRACE_MS: '0' }, /PLAZA_SHUTDOWN_GRACE_MS/],
  ])('rejects %j %j with a message naming the source', (argv, env, message) => {
    expect(() => load(argv, env)).toThrow(ConfigError);
    expect(() => load(argv, env)).toThrow(message);
  });

  it('answers --help with the flag list', () => {
    const result = load(['--help']);
    expect(result.kind).toBe('help');
    expect(result.kind === 'help' && result.text).toContain('--data-dir');
  });
});
