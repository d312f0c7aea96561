/**
 * Test harness for integration tests: a real server on 127.0.0.1 port 0 with a temporary data
 * directory, stock y-websocket clients, raw WebSocket clients, and polling assertions.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WebSocket as WsWebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import type { Role } from '../../../shared/sync/rooms.ts';
import { createUser } from '../auth/provisioning.ts';
import { configSchema, type ServerConfigInput } from '../config.ts';
import { createLogger } from '../log.ts';
import { startServer, type RunningServer, type StartOptions } from '../server.ts';
import { SYNC_PATH_PREFIX } from '../ws/sync-endpoint.ts';

export function temporaryDir(prefix = 'plaza-test-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function startTestServer(overrides: Partial<ServerConfigInput> = {}, options: StartOptions = {}): Promise<RunningServer> {
  const config = configSchema.parse({
    port: 0,
    dataDir: temporaryDir(),
    webDir: '/nonexistent',
    logLevel: 'silent',
    testReferee: true,
    idleUnloadMs: 200,
    ...overrides,
  });
  return startServer(config, { logger: createLogger(process.env.PLAZA_TEST_LOG ?? 'silent'), ...options });
}

export interface TestUser {
  readonly id: string;
  readonly tenant: string;
  readonly role: Role;
  readonly token: string;
}

let userCounter = 0;

export async function addUser(server: RunningServer, tenant: string, role: Role = 'member', name?: string): Promise<TestUser> {
  userCounter += 1;
  if (!(await server.store.directory.tenant(tenant))) {
    await server.store.directory.createTenant({ id: tenant, name: tenant, policy: { guestsMayBrowse: true, taxBps: 0, startingGrant: 100_000, currency: 'USD' }, createdAt: Date.now() });
    server.directory.invalidateTenant(tenant);
  }
  const user = await createUser(server.directory, { tenant, displayName: name ?? `User ${userCounter}`, role, kind: role === 'guest' ? 'guest' : 'account', now: Date.now() });
  const { token } = await server.tokens.issue({ tenant, user: user.id, role, name: user.displayName, session: `s-${user.id}`, kind: user.kind }, 3600);
  return { id: user.id, tenant, role, token };
}

/** Where a test client connects: an in-process server, or a server process by its URL. */
export type ServerAddress = Pick<RunningServer, 'url'>;

export function syncUrl(server: ServerAddress): string {
  return `${server.url.replace(/^http/, 'ws')}${SYNC_PATH_PREFIX.slice(0, -1)}`;
}

export interface ClientOptions {
  /** Token in the query string (stock clients) instead of the Plaza subprotocol. */
  readonly viaQuery?: boolean;
  readonly doc?: Y.Doc;
  readonly connect?: boolean;
}

/** A stock y-websocket provider, optionally speaking the Plaza subprotocol. */
export function connectClient(server: ServerAddress, room: string, token: string, options: ClientOptions = {}): { doc: Y.Doc; provider: WebsocketProvider } {
  const doc = options.doc ?? new Y.Doc();
  const provider = new WebsocketProvider(syncUrl(server), room, doc, {
    connect: options.connect ?? true,
    disableBc: true,
    ...(options.viaQuery ? { params: { token } } : { protocols: ['plaza.v1', `plaza.auth.${token}`] }),
    WebSocketPolyfill: WsWebSocket as unknown as typeof WebSocket,
    maxBackoffTime: 500,
  });
  ignorePlazaMessages(provider);
  return { doc, provider };
}

export function whenSynced(provider: WebsocketProvider, timeoutMs = 10_000): Promise<void> {
  if (provider.synced) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`provider for ${provider.roomname} did not sync`)), timeoutMs);
    provider.once('sync', (synced: boolean) => {
      if (synced) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

/** Polls `check` until it stops throwing (assertions) or the deadline passes. */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 10_000, intervalMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw lastError;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export interface RawClient {
  readonly ws: WsWebSocket;
  readonly messages: Uint8Array[];
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly opened: Promise<void>;
}

/** A raw WebSocket to a room, for attack and garbage tests. */
export function rawClient(server: RunningServer, room: string, token: string | null, protocols?: string[]): RawClient {
  const protocolList = protocols ?? (token ? ['plaza.v1', `plaza.auth.${token}`] : ['plaza.v1']);
  const ws = new WsWebSocket(`${syncUrl(server)}/${room}`, protocolList);
  const messages: Uint8Array[] = [];
  ws.on('message', (data: Buffer) => messages.push(new Uint8Array(data)));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    ws.on('error', () => undefined);
  });
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
  });
  return { ws, messages, closed, opened };
}

export function destroyAll(...providers: WebsocketProvider[]): void {
  for (const provider of providers) {
    provider.destroy();
    provider.doc.destroy();
  }
}

/** Test clients speak the Plaza subprotocol without the Plaza engine: accept its messages quietly. */
export function ignorePlazaMessages(provider: WebsocketProvider): void {
  for (const type of [100, 101, 102, 103]) provider.messageHandlers[type] = () => undefined;
}

/** The document as the store holds it (snapshot + updates), read directly, not via a client. */
export async function storedDoc(server: RunningServer, room: string): Promise<Y.Doc> {
  const doc = new Y.Doc();
  const stored = await server.store.rooms.load(room);
  for (const update of [stored.snapshot, ...stored.updates.map((entry) => entry.data)]) if (update) Y.applyUpdate(doc, update);
  return doc;
}
