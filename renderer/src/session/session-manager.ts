/**
 * The signed-in session on this device. The access token lives in memory only; the refresh
 * token is an httpOnly cookie on the web and in the OS keychain on desktop (through the Platform
 * port). Who is signed in (not a secret) is remembered so that the app opens offline with all
 * its local data and sends queued changes once it can refresh the token.
 */
import { BehaviorSubject } from 'rxjs';
import type { Role } from '../../../shared/sync/rooms.ts';
import type { Platform } from '../platform/platform.ts';
import { ApiClient, ApiError } from './api-client.ts';
import type { SessionResponse, SetupResponse } from './contract.ts';

export interface Identity {
  readonly serverUrl: string;
  readonly user: SessionResponse['user'];
  readonly tenant: SessionResponse['tenant'];
  readonly role: Role;
}

export type SessionState =
  | { readonly kind: 'loading' }
  | { readonly kind: 'signed-out'; readonly notice?: string }
  | { readonly kind: 'signed-in'; readonly identity: Identity; readonly accessToken: string | null; readonly expiresAt: number };

const IDENTITY_KEY = 'plaza.identity';
const REFRESH_MARGIN_MS = 60_000;
const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;

export interface SessionManagerOptions {
  readonly platform: Platform;
  readonly serverUrl: string;
  readonly storage: Storage;
  readonly now?: () => number;
  readonly fetchImpl?: typeof fetch;
}

export class SessionManager {
  readonly state$ = new BehaviorSubject<SessionState>({ kind: 'loading' });
  readonly api: ApiClient;
  private readonly options: SessionManagerOptions;
  private readonly now: () => number;
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;
  private refreshing: Promise<string | null> | null = null;
  /** The wait before the next try of a refresh that failed for want of an answer; 0 after a success. */
  private retryDelayMs = 0;

  constructor(options: SessionManagerOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
    this.api = new ApiClient(options.serverUrl, { desktop: options.platform.kind === 'desktop', ...(options.fetchImpl ? { fetchImpl: options.fetchImpl } : {}) });
  }

  get state(): SessionState {
    return this.state$.value;
  }

  get accessToken(): string | null {
    const state = this.state;
    return state.kind === 'signed-in' ? state.accessToken : null;
  }

  private get refreshSecretName(): string {
    return `refresh:${new URL(this.options.serverUrl).host.replaceAll(/[^a-z0-9.-]/gi, '_').toLowerCase()}`;
  }

  private rememberedIdentity(): Identity | null {
    try {
      const value = JSON.parse(this.options.storage.getItem(IDENTITY_KEY) ?? 'null') as Identity | null;
      return value && value.serverUrl === this.options.serverUrl && typeof value.user?.id === 'string' ? value : null;
    } catch {
      return null;
    }
  }

  /** On app start: resume the session (online: refresh; offline: the remembered identity). */
  async start(): Promise<void> {
    const identity = this.rememberedIdentity();
    try {
      const token = await this.refreshNow();
      if (token === null && !identity) this.state$.next({ kind: 'signed-out' });
    } catch {
      // `refreshNow` throws only when the server could not answer (a refusal signs out instead):
      // open with the remembered identity and its local data; the retry brings the token.
      if (identity) this.state$.next({ kind: 'signed-in', identity, accessToken: null, expiresAt: 0 });
      else this.state$.next({ kind: 'signed-out' });
    }
  }

  setup(): Promise<SetupResponse> {
    return this.api.request<SetupResponse>('GET', '/api/setup');
  }

  async startGuest(): Promise<void> {
    this.adopt(await this.api.request<SessionResponse>('POST', '/api/auth/guest', { body: {} }));
  }

  async register(input: { email: string; password: string; displayName: string }): Promise<void> {
    // A guest who registers keeps their user id and everything on this device.
    this.adopt(await this.api.request<SessionResponse>('POST', '/api/auth/register', { body: input, token: this.accessToken }));
  }

  async login(input: { email: string; password: string }): Promise<void> {
    this.adopt(await this.api.request<SessionResponse>('POST', '/api/auth/login', { body: input }));
  }

  async acceptInvite(code: string): Promise<void> {
    this.adopt(await this.api.request<SessionResponse>('POST', `/api/invites/${encodeURIComponent(code)}/accept`, { body: {}, token: await this.freshToken() }));
  }

  /** A valid access token, refreshed first if it is about to expire; null when offline. */
  async freshToken(): Promise<string | null> {
    const state = this.state;
    if (state.kind !== 'signed-in') return null;
    if (state.accessToken && state.expiresAt - this.now() > REFRESH_MARGIN_MS) return state.accessToken;
    try {
      return await this.refreshNow();
    } catch {
      return null;
    }
  }

  /** Exchanges the refresh token for a new session; null when the server refused it (signed out). */
  refreshNow(): Promise<string | null> {
    this.refreshing ??= (async () => {
      const stored = this.options.platform.kind === 'desktop' ? await this.options.platform.secrets.load(this.refreshSecretName) : null;
      if (this.options.platform.kind === 'desktop' && !stored) return null;
      try {
        const session = await this.api.request<SessionResponse | undefined>('POST', '/api/auth/refresh', { body: stored ? { refreshToken: stored } : {} });
        if (!session) {
          // Nothing to refresh: this device has no session (204).
          if (this.state.kind === 'signed-in') await this.forget('Your session ended. Sign in again; your data on this device is kept until you do.');
          return null;
        }
        this.adopt(session);
        return session.accessToken;
      } catch (error) {
        if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
          await this.forget('Your session ended. Sign in again; your data on this device is kept until you do.');
          return null;
        }
        /*
         * Unreachable, overloaded or restarting server: try again, backing off. Nothing else would:
         * an app started while the server could not answer had no token to connect with and
         * waited, at "connecting", for an `online` event that never comes when the network is fine.
         */
        this.retryRefresh();
        throw error;
      }
    })().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private adopt(session: SessionResponse): void {
    const identity: Identity = { serverUrl: this.options.serverUrl, user: session.user, tenant: session.tenant, role: session.role };
    this.options.storage.setItem(IDENTITY_KEY, JSON.stringify(identity));
    if (session.refreshToken && this.options.platform.kind === 'desktop') void this.options.platform.secrets.save(this.refreshSecretName, session.refreshToken);
    this.state$.next({ kind: 'signed-in', identity, accessToken: session.accessToken, expiresAt: session.accessTokenExpiresAt });
    this.retryDelayMs = 0;
    this.scheduleRefresh(session.accessTokenExpiresAt);
  }

  private retryRefresh(): void {
    this.retryDelayMs = Math.min(MAX_RETRY_MS, this.retryDelayMs === 0 ? FIRST_RETRY_MS : this.retryDelayMs * 2);
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => void this.refreshNow().catch(() => undefined), this.retryDelayMs);
  }

  private scheduleRefresh(expiresAt: number): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    const delay = Math.max(5_000, expiresAt - this.now() - REFRESH_MARGIN_MS);
    this.refreshTimer = setTimeout(() => void this.refreshNow().catch(() => undefined), delay);
  }

  private async forget(notice?: string): Promise<void> {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.options.storage.removeItem(IDENTITY_KEY);
    if (this.options.platform.kind === 'desktop') await this.options.platform.secrets.delete(this.refreshSecretName);
    this.state$.next(notice ? { kind: 'signed-out', notice } : { kind: 'signed-out' });
  }

  /** Revokes the login on the server (when reachable) and forgets it here. */
  async logout(): Promise<void> {
    const token = this.accessToken;
    const stored = this.options.platform.kind === 'desktop' ? await this.options.platform.secrets.load(this.refreshSecretName) : null;
    try {
      await this.api.request('POST', '/api/auth/logout', { token, body: stored ? { refreshToken: stored } : {} });
    } catch {
      // Offline or already revoked: the local sign-out still happens.
    }
    await this.forget();
  }

  async authed<T>(method: string, path: string, body?: unknown): Promise<T> {
    const token = await this.freshToken();
    if (token === null) throw new ApiError(0, 'network', 'You are offline; this needs the server.');
    return this.api.request<T>(method, path, { token, ...(body === undefined ? {} : { body }) });
  }

  dispose(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
  }
}
