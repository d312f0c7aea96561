import { describe, expect, it, vi } from 'vitest';
import { IPC_CHANNELS } from '../../shared/platform/bridge.ts';
import { registerBridge, type BridgeServices } from './ipc.ts';

function setup() {
  const handlers = new Map<string, (event: unknown, ...args: unknown[]) => Promise<unknown>>();
  const services: BridgeServices = {
    appOrigin: () => 'app://plaza',
    getDesktopConfig: vi.fn(async () => ({ serverUrl: 'http://127.0.0.1:8787', appVersion: '0.1.0', platform: 'linux' })),
    setServerUrl: vi.fn(async (url: string) => ({ serverUrl: url, appVersion: '0.1.0', platform: 'linux' })),
    saveSecret: vi.fn(async () => undefined),
    loadSecret: vi.fn(async () => 'value'),
    deleteSecret: vi.fn(async () => undefined),
    openExternal: vi.fn(async () => undefined),
    llmChat: vi.fn(async () => ({ ok: false as const, code: 'not-configured', message: 'x', session: null })),
    llmStop: vi.fn(async () => false),
    llmDirectStatus: vi.fn(async () => ({ configured: false, baseURL: null, hasKey: false, budgets: { sessionMicroUsd: 1, dailyMicroUsd: 1, monthlyMicroUsd: 1 }, models: [] })),
    llmDirectConfigure: vi.fn(async () => ({ configured: false, baseURL: null, hasKey: false, budgets: { sessionMicroUsd: 1, dailyMicroUsd: 1, monthlyMicroUsd: 1 }, models: [] })),
    llmDirectSession: vi.fn(async () => ({ sessionId: 's', startedAt: 0, callCount: 0, spentMicroUsd: 0, halt: null, meter: [] })),
  };
  registerBridge({ handle: (channel, listener) => handlers.set(channel, listener as never) }, services);
  const trusted = { senderFrame: { url: 'app://plaza/account', parent: null } };
  const call = (channel: string, event: unknown, ...args: unknown[]) => handlers.get(channel)!(event, ...args);
  return { handlers, services, trusted, call };
}

describe('IPC bridge', () => {
  it('registers exactly the named channels of the bridge, no generic invoke', () => {
    const { handlers } = setup();
    expect([...handlers.keys()].sort()).toEqual(Object.values(IPC_CHANNELS).sort());
  });

  it('every handler refuses a sender that is not the app page', async () => {
    const { handlers, call, services } = setup();
    const strangers = [
      { senderFrame: { url: 'https://evil.example/', parent: null } },
      { senderFrame: { url: 'app://plaza/', parent: { url: 'app://plaza/' } } },
      { senderFrame: null },
      {},
    ];
    for (const channel of handlers.keys()) {
      for (const event of strangers) {
        await expect(call(channel, event, 'x', 'y')).rejects.toThrow(/sender is not the app's own page/);
      }
    }
    expect(services.saveSecret).not.toHaveBeenCalled();
    expect(services.openExternal).not.toHaveBeenCalled();
  });

  it('validates arguments with clear errors and never calls the service on garbage', async () => {
    const { call, trusted, services } = setup();
    await expect(call(IPC_CHANNELS.saveSecret, trusted, '../../etc/passwd', 'x')).rejects.toThrow(/invalid arguments: secret names use/);
    await expect(call(IPC_CHANNELS.saveSecret, trusted, 'token', 42)).rejects.toThrow(/invalid arguments/);
    await expect(call(IPC_CHANNELS.saveSecret, trusted, 'token', 'x'.repeat(70_000))).rejects.toThrow(/at most 64 KiB/);
    await expect(call(IPC_CHANNELS.saveSecret, trusted, 'token')).rejects.toThrow(/invalid arguments/);
    await expect(call(IPC_CHANNELS.setServerUrl, trusted, 'javascript:alert(1)')).rejects.toThrow(/http\(s\) URL/);
    await expect(call(IPC_CHANNELS.setServerUrl, trusted, 'http://user:pw@host/')).rejects.toThrow(/without credentials/);
    await expect(call(IPC_CHANNELS.openExternal, trusted, 'file:///etc/passwd')).rejects.toThrow(/only https links/);
    await expect(call(IPC_CHANNELS.getDesktopConfig, trusted, 'extra')).rejects.toThrow(/invalid arguments/);
    expect(services.saveSecret).not.toHaveBeenCalled();
    expect(services.setServerUrl).not.toHaveBeenCalled();
    expect(services.openExternal).not.toHaveBeenCalled();
  });

  it('validates the direct-mode calls: http only on localhost, no unknown fields, no key ever read back', async () => {
    const { call, trusted, services } = setup();
    await expect(call(IPC_CHANNELS.llmDirectConfigure, trusted, { baseURL: 'http://192.168.1.5:11434/v1' })).rejects.toThrow(/https URL, or http on localhost/);
    await expect(call(IPC_CHANNELS.llmDirectConfigure, trusted, { baseURL: 'https://user:pw@api.example.com/v1' })).rejects.toThrow(/without credentials/);
    await expect(call(IPC_CHANNELS.llmDirectConfigure, trusted, { budgets: { sessionMicroUsd: -1, dailyMicroUsd: 1, monthlyMicroUsd: 1 } })).rejects.toThrow(/invalid arguments/);
    await expect(call(IPC_CHANNELS.llmDirectSession, trusted, { action: 'delete-everything' })).rejects.toThrow(/invalid arguments/);
    await expect(call(IPC_CHANNELS.llmStop, trusted, '../x')).rejects.toThrow(/invalid arguments/);
    expect(services.llmDirectConfigure).not.toHaveBeenCalled();
    await call(IPC_CHANNELS.llmDirectConfigure, trusted, { baseURL: 'http://localhost:11434/v1', apiKey: 'sk-own' });
    expect(services.llmDirectConfigure).toHaveBeenCalledWith({ baseURL: 'http://localhost:11434/v1', apiKey: 'sk-own' });
    await call(IPC_CHANNELS.llmDirectSession, trusted, { action: 'resume', sessionId: 'ds_abc' });
    expect(services.llmDirectSession).toHaveBeenCalledWith({ action: 'resume', sessionId: 'ds_abc' });
  });

  it('passes valid arguments through', async () => {
    const { call, trusted, services } = setup();
    await call(IPC_CHANNELS.saveSecret, trusted, 'refresh:127.0.0.1:default', 'opaque');
    expect(services.saveSecret).toHaveBeenCalledWith('refresh:127.0.0.1:default', 'opaque');
    expect(await call(IPC_CHANNELS.loadSecret, trusted, 'refresh:127.0.0.1:default')).toBe('value');
    expect(await call(IPC_CHANNELS.setServerUrl, trusted, 'https://sync.example.com')).toMatchObject({ serverUrl: 'https://sync.example.com' });
  });
});
