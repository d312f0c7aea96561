/**
 * Everything that lives outside React and exactly once per window: the session, and for the
 * signed-in identity its local database and sync engine. React reads them through context; it
 * never creates them (RxDB counts collections per process, so a second database would stall).
 */
import { BehaviorSubject } from 'rxjs';
import { removeRxDatabase, type RxStorage } from 'rxdb';
import { databaseName, openPlazaDatabase, type PlazaDatabase } from '../engine/database.ts';
import { projectionsFor } from '../engine/projections/index.ts';
import { browserNetwork, SyncClient, type NetworkState } from '../engine/sync-client.ts';
import type { Platform } from '../platform/platform.ts';
import { SessionManager, type Identity, type SessionState } from '../session/session-manager.ts';

export interface EngineHandle {
  readonly key: string;
  readonly identity: Identity;
  readonly db: PlazaDatabase;
  readonly client: SyncClient;
}

export interface RuntimeOptions {
  readonly platform: Platform;
  readonly serverUrl: string;
  readonly storage: () => Promise<RxStorage<unknown, unknown>>;
  readonly network?: NetworkState;
  readonly localStorage: Storage;
  readonly window?: Window;
  /**
   * Deletes what the storage leaves behind once RxDB has removed a database (Dexie empties its
   * IndexedDB databases but keeps them). Without it, signing out empties the data only.
   */
  readonly deleteStorageFiles?: (databaseName: string) => Promise<void>;
}

export class PlazaRuntime {
  readonly platform: Platform;
  readonly session: SessionManager;
  readonly engine$ = new BehaviorSubject<EngineHandle | null>(null);
  private readonly options: RuntimeOptions;
  private switching: Promise<void> = Promise.resolve();
  private lastToken: string | null = null;

  constructor(options: RuntimeOptions) {
    this.options = options;
    this.platform = options.platform;
    this.session = new SessionManager({ platform: options.platform, serverUrl: options.serverUrl, storage: options.localStorage });
    this.session.state$.subscribe((state) => {
      this.switching = this.switching.then(() => this.follow(state)).catch((error: unknown) => console.error('[plaza] could not open the local database', error));
    });
    options.window?.addEventListener('online', () => {
      if (this.session.state.kind === 'signed-in' && this.session.accessToken === null) void this.session.refreshNow().catch(() => undefined);
    });
  }

  get engine(): EngineHandle | null {
    return this.engine$.value;
  }

  private async follow(state: SessionState): Promise<void> {
    if (state.kind === 'loading') return;
    const wanted = state.kind === 'signed-in' ? `${state.identity.serverUrl}|${state.identity.tenant.id}|${state.identity.user.id}` : null;
    const current = this.engine$.value;
    if (current && current.key === wanted) {
      if (state.kind === 'signed-in' && state.accessToken && state.accessToken !== this.lastToken) {
        this.lastToken = state.accessToken;
        current.client.reconnectAll();
      }
      return;
    }
    if (current) {
      this.engine$.next(null);
      try {
        await current.client.close();
      } finally {
        // Closed whatever happened above: signing out removes this database next.
        await current.db.close();
      }
    }
    if (state.kind !== 'signed-in' || wanted === null) return;
    const { identity } = state;
    this.lastToken = state.accessToken;
    const db = await openPlazaDatabase({ name: databaseName(identity.serverUrl, identity.tenant.id, identity.user.id), storage: await this.options.storage(), multiInstance: false });
    const client = new SyncClient({
      serverUrl: identity.serverUrl,
      principal: { tenant: identity.tenant.id, user: identity.user.id, role: identity.role },
      db,
      tokens: { current: () => this.session.accessToken, refresh: () => this.session.refreshNow() },
      network: this.options.network ?? (this.options.window ? browserNetwork(this.options.window) : { online: () => true, subscribe: () => () => undefined }),
      onSignedOut: () => undefined,
      projectionsFor,
    });
    await client.openPersonalRooms();
    this.engine$.next({ key: wanted, identity, db, client });
  }

  /** Changes made on this device that have not reached the server (local edits + pending intents). */
  async unsyncedChanges(): Promise<{ localChanges: number; pendingIntents: number }> {
    const engine = this.engine$.value;
    if (!engine) return { localChanges: 0, pendingIntents: 0 };
    const pendingIntents = await engine.db.intents.count({ selector: { status: 'pending' } }).exec();
    return { localChanges: engine.client.pendingCount, pendingIntents };
  }

  /**
   * Signs out: revokes the login on the server and wipes this (server, tenant, user) database.
   * The UI must have warned about unsynced changes first.
   */
  async signOut(): Promise<void> {
    const engine = this.engine$.value;
    await this.session.logout();
    // The engine closes its database when the session ends; removing waits for that.
    await this.switching;
    if (!engine) return;
    const name = databaseName(engine.identity.serverUrl, engine.identity.tenant.id, engine.identity.user.id);
    try {
      await removeRxDatabase(name, await this.options.storage(), false);
      await this.options.deleteStorageFiles?.(name);
    } catch (error) {
      console.warn('[plaza] could not wipe the local database', error);
    }
  }
}
