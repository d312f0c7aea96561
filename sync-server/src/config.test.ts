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

  it('has markets settings: a day to correct a resolution, a day for a trade to arrive', () => {
    const defaults = load([]);
    expect(defaults.kind === 'config' && [defaults.config.marketsCorrectionWindowMs, defaults.config.marketsTradeTtlMs]).toEqual([86_400_000, 86_400_000]);
    const set = load([], { PLAZA_MARKETS_CORRECTION_WINDOW_MS: '0', PLAZA_MARKETS_TRADE_TTL_MS: '60000' });
    expect(set.kind === 'config' && [set.config.marketsCorrectionWindowMs, set.config.marketsTradeTtlMs]).toEqual([0, 60_000]);
    expect(() => load([], { PLAZA_MARKETS_TRADE_TTL_MS: '0' })).toThrow(/PLAZA_MARKETS_TRADE_TTL_MS/);
    expect(() => load([], { PLAZA_MARKETS_CORRECTION_WINDOW_MS: '-1' })).toThrow(/PLAZA_MARKETS_CORRECTION_WINDOW_MS/);
  });

  it('answers --help with the flag list', () => {
    const result = load(['--help']);
    expect(result.kind).toBe('help');
    expect(result.kind === 'help' && result.text).toContain('--data-dir');
  });
});
