/**
 * One client replica in its own process (RxDB counts collections per process), driven over IPC
 * by the convergence test. Run with `--experimental-webstorage --localstorage-file=<file>` so
 * that its RxDB (localStorage storage) survives a restart of the process.
 */
import { getRxStorageLocalstorage } from 'rxdb/plugins/storage-localstorage';
import { roomNames, type Principal } from '../../../../shared/sync/rooms.ts';
import { catalogProjection } from '../projections/catalog.ts';
import { fixedToken, startEngine, type Engine } from './engine-harness.ts';

export type ReplicaCommand =
  | { readonly type: 'init'; readonly serverUrl: string; readonly principal: Principal; readonly token: string; readonly online: boolean }
  | { readonly type: 'ops'; readonly ops: readonly ReplicaOp[] }
  | { readonly type: 'network'; readonly online: boolean }
  | { readonly type: 'settle' }
  | { readonly type: 'stop' };

export type ReplicaOp =
  | { readonly kind: 'put'; readonly id: string; readonly title: string; readonly amount: number }
  | { readonly kind: 'delete'; readonly id: string };

export interface ProjectedProduct {
  readonly id: string;
  readonly title: string;
  readonly amount: number;
}

let engine: Engine | null = null;
let tenant = '';

function product(op: Extract<ReplicaOp, { kind: 'put' }>) {
  return { id: op.id, title: op.title, description: '', price: { amount: op.amount, currency: 'USD' }, category: 'home', tags: [], images: [], status: 'active', createdAt: 1_700_000_000_000, updatedAt: 1_700_000_000_000, version: 1 };
}

async function handle(command: ReplicaCommand): Promise<unknown> {
  switch (command.type) {
    case 'init': {
      tenant = command.principal.tenant;
      engine = await startEngine({ serverUrl: command.serverUrl, principal: command.principal, tokens: fixedToken(command.token), storage: getRxStorageLocalstorage({ localStorage: globalThis.localStorage }), online: command.online });
      await engine.client.open(roomNames.catalog(tenant), [catalogProjection]);
      return { ok: true };
    }
    case 'ops': {
      const doc = engine!.client.replica(roomNames.catalog(tenant))!.doc;
      const products = doc.getMap('products');
      for (const op of command.ops) {
        if (op.kind === 'put') products.set(op.id, product(op));
        else products.delete(op.id);
      }
      await engine!.client.settled();
      return { ok: true };
    }
    case 'network':
      engine!.network.set(command.online);
      return { ok: true };
    case 'settle': {
      const deadline = Date.now() + 20_000;
      while (engine!.client.status$.value.kind !== 'synced' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
      await engine!.client.settled();
      const rows = await engine!.db.products.find().exec();
      return {
        status: engine!.client.status$.value.kind,
        products: rows.map((row) => ({ id: row.id, title: String(row.data.title), amount: Number((row.data.price as { amount: number }).amount) })).sort((a, b) => a.id.localeCompare(b.id)),
      };
    }
    case 'stop':
      await engine?.close();
      engine = null;
      return { ok: true };
  }
}

process.on('message', (message: { id: number; command: ReplicaCommand }) => {
  handle(message.command).then(
    (result) => {
      process.send?.({ id: message.id, result });
      if (message.command.type === 'stop') setTimeout(() => process.exit(0), 10);
    },
    (error: unknown) => process.send?.({ id: message.id, error: (error as Error).stack ?? String(error) }),
  );
});
process.send?.({ ready: true });
