/**
 * One Plaza client engine in a Node process, against a real server. RxDB counts collections per
 * process, so a test process holds one engine; other parties are stock clients or processes.
 */
import { projectionsFor } from '../projections/index.ts';
import type { RxStorage } from 'rxdb';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import type { Principal } from '../../../../shared/sync/rooms.ts';
import { databaseName, openPlazaDatabase, type PlazaDatabase } from '../database.ts';
import { SyncClient, type NetworkState } from '../sync-client.ts';
import type { TokenSource } from '../room-replica.ts';

export class SwitchableNetwork implements NetworkState {
  private value = true;
  private readonly listeners = new Set<(online: boolean) => void>();
  online(): boolean {
    return this.value;
  }
  subscribe(listener: (online: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  set(online: boolean): void {
    this.value = online;
    for (const listener of this.listeners) listener(online);
  }
}

export interface Engine {
  readonly db: PlazaDatabase;
  readonly client: SyncClient;
  readonly network: SwitchableNetwork;
  close(): Promise<void>;
}

export async function startEngine(input: {
  serverUrl: string;
  principal: Principal;
  tokens: TokenSource;
  storage?: RxStorage<unknown, unknown>;
  online?: boolean;
}): Promise<Engine> {
  const network = new SwitchableNetwork();
  if (input.online === false) network.set(false);
  const db = await openPlazaDatabase({ name: databaseName(input.serverUrl, input.principal.tenant, input.principal.user), storage: input.storage ?? getRxStorageMemory() });
  const client = new SyncClient({ serverUrl: input.serverUrl, principal: input.principal, db, tokens: input.tokens, network, projectionsFor });
  return {
    db,
    client,
    network,
    close: async () => {
      await client.close();
      await db.close();
    },
  };
}

export function fixedToken(token: string): TokenSource {
  return { current: () => token, refresh: async () => null };
}
