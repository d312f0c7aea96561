import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../../build/scripts/server-process.ts';
import { configSchema } from './config.ts';
import { createLogger } from './log.ts';
import { startServer, type RunningServer } from './server.ts';

const tlsDir = path.join(import.meta.dirname, 'test-support/tls');
const running: Array<RunningServer | ServerProcess> = [];
afterEach(async () => {
  for (const server of running.splice(0)) await ('close' in server ? server.close() : server.stop());
});

function testConfig(overrides: Record<string, unknown> = {}) {
  return configSchema.parse({ port: 0, dataDir: mkdtempSync(path.join(os.tmpdir(), 'plaza-srv-')), webDir: '/nonexistent', ...overrides });
}

describe('sync server skeleton', () => {
  it('answers /healthz and /readyz, and a JSON 404 elsewhere', async () => {
    const server = await startServer(testConfig(), { logger: createLogger('silent') });
    running.push(server);
    expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    const missing = await fetch(`${server.url}/api/nothing`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it('serves over TLS with the configured certificate and key', async () => {
    const server = await startServer(testConfig({ tlsCert: path.join(tlsDir, 'cert.pem'), tlsKey: path.join(tlsDir, 'key.pem') }), { logger: createLogger('silent') });
    running.push(server);
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const body = await new Promise<string>((resolve, reject) => {
      https
        .get(`${server.url}/healthz`, { ca: readFileSync(path.join(tlsDir, 'cert.pem')) }, (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString()));
          response.on('end', () => resolve(text));
        })
        .on('error', reject);
    });
    expect(JSON.parse(body)).toEqual({ status: 'ok' });
  });

  it('logs JSON lines and exits 0 on SIGTERM after draining', async () => {
    const server = await startServerProcess();
    expect(server.logs.some((line) => line.msg === 'plaza sync server listening' && typeof line.time === 'string')).toBe(true);
    const code = await server.stop();
    expect(code).toBe(0);
    expect(server.logs.map((line) => line.msg)).toEqual(expect.arrayContaining(['signal received', 'shutting down', 'stopped']));
  });

  it('a bad configuration prints a clear error and exits 2 before binding', async () => {
    const child = spawn(process.execPath, [path.join(import.meta.dirname, 'main.ts'), '--port', 'eighty'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toMatch(/^plaza: invalid configuration:\n {2}--port: /);
  });
});

describe('CORS', () => {
  it('lets the desktop app (app://plaza) call the API, and nobody else cross-origin', async () => {
    const server = await startServer(testConfig(), { logger: createLogger('silent') });
    running.push(server);
    const preflight = await fetch(`${server.url}/api/setup`, { method: 'OPTIONS', headers: { origin: 'app://plaza', 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('app://plaza');
    expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();
    const evil = await fetch(`${server.url}/api/setup`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    const simple = await fetch(`${server.url}/healthz`, { headers: { origin: 'https://evil.example' } });
    expect(simple.status).toBe(200);
    expect(simple.headers.get('access-control-allow-origin')).toBeNull();
    const desktop = await fetch(`${server.url}/healthz`, { headers: { origin: 'app://plaza' } });
    expect(desktop.headers.get('access-control-allow-origin')).toBe('app://plaza');
  });
});
