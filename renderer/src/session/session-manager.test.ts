/**
 * The session against a real server: an app that starts while the server cannot answer opens
 * with the remembered identity and gets its token once the server is back, without waiting for
 * the browser's `online` event (the network was fine all along).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../../sync-server/src/server.ts';
import { eventually, startTestServer } from '../../../sync-server/src/test-support/harness.ts';
import type { Platform } from '../platform/platform.ts';
import { SessionManager } from './session-manager.ts';

let server: RunningServer | null = null;
const sessions: SessionManager[] = [];
afterEach(async () => {
  for (const session of sessions.splice(0)) await session.logout();
  await server?.close();
  server = null;
});

/** A desktop host (the refresh token in its vault) whose vault and local storage outlive the app. */
function desktopDevice(serverUrl: string): { platform: Platform; storage: Storage } {
  const vault = new Map<string, string>();
  const items = new Map<string, string>();
  const platform: Platform = {
    kind: 'desktop',
    serverUrl: async () => serverUrl,
    setServerUrl: async () => undefined,
    canChangeServer: false,
    secrets: { save: async (name, value) => void vault.set(name, value), load: async (name) => vault.get(name) ?? null, delete: async (name) => void vault.delete(name) },
    openExternal: async () => undefined,
  };
  const storage: Storage = {
    get length() {
      return items.size;
    },
    clear: () => items.clear(),
    getItem: (key) => items.get(key) ?? null,
    key: (index) => [...items.keys()][index] ?? null,
    removeItem: (key) => void items.delete(key),
    setItem: (key, value) => void items.set(key, value),
  };
  return { platform, storage };
}

describe('a session resumed while the server cannot answer', () => {
  it('opens signed in without a token, then refreshes on its own once the server is back', async () => {
    server = await startTestServer();
    const { dataDir, url } = server;
    const port = Number(new URL(url).port);
    const device = desktopDevice(url);
    const first = new SessionManager({ ...device, serverUrl: url });
    await first.startGuest();
    const user = first.state.kind === 'signed-in' ? first.state.identity.user.id : null;
    expect(user).not.toBeNull();
    await server.close();
    server = null;

    // The app restarts while the server is down.
    const restarted = new SessionManager({ ...device, serverUrl: url });
    sessions.push(restarted);
    await restarted.start();
    expect(restarted.state).toMatchObject({ kind: 'signed-in', accessToken: null, identity: { user: { id: user } } });

    server = await startTestServer({ port, dataDir });
    await eventually(() => expect(restarted.accessToken).not.toBeNull(), 20_000);
    expect(restarted.state).toMatchObject({ kind: 'signed-in', identity: { user: { id: user } } });
  });
});
