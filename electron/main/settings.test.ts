import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SERVER_URL, loadSettings, saveSettings } from './settings.ts';

const temporaryFile = () => path.join(mkdtempSync(path.join(os.tmpdir(), 'plaza-settings-')), 'settings.json');

describe('desktop settings', () => {
  it('defaults, saves and loads the server URL', async () => {
    const file = temporaryFile();
    expect((await loadSettings(file, undefined)).settings.serverUrl).toBe(DEFAULT_SERVER_URL);
    await saveSettings(file, { version: 1, serverUrl: 'https://sync.example.com' });
    expect((await loadSettings(file, undefined)).settings.serverUrl).toBe('https://sync.example.com');
  });

  it('a corrupt or tampered file falls back to defaults and says why', async () => {
    const file = temporaryFile();
    writeFileSync(file, '{not json');
    expect(await loadSettings(file, undefined)).toEqual({ settings: { version: 1, serverUrl: DEFAULT_SERVER_URL }, problem: 'settings.json is not valid JSON; using defaults' });
    writeFileSync(file, JSON.stringify({ version: 1, serverUrl: 'javascript:alert(1)' }));
    expect((await loadSettings(file, undefined)).problem).toMatch(/http\(s\) URL/);
    writeFileSync(file, JSON.stringify({ version: 1, serverUrl: 'https://a.example', extra: true }));
    expect((await loadSettings(file, undefined)).problem).toMatch(/settings.json/);
  });

  it('PLAZA_SERVER_URL overrides the stored server; a bad one is ignored', async () => {
    const file = temporaryFile();
    await saveSettings(file, { version: 1, serverUrl: 'https://a.example' });
    expect((await loadSettings(file, 'http://127.0.0.1:9999')).settings.serverUrl).toBe('http://127.0.0.1:9999');
    expect((await loadSettings(file, 'ftp://x')).settings.serverUrl).toBe('https://a.example');
  });
});
