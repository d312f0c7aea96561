/**
 * "Download my data": everything the server holds about a user, as JSON. The directory record
 * (without the password hash), memberships, logins (without token hashes), the Yjs state of the
 * rooms the user owns (`t/{tenant}/u/{user}` and below) decoded to JSON, the decisions on their
 * intents and their ledger rows.
 */
import * as Y from 'yjs';
import type { AccountRole, ExportResponse } from '../../../shared/api/auth.ts';
import type { Store } from '../store/types.ts';
import type { Directory } from './directory.ts';

/** A stored room as plain JSON: each top-level shared type by name (maps as objects, lists as arrays). */
export function roomToJson(parts: readonly Uint8Array[]): Record<string, unknown> {
  const doc = new Y.Doc();
  try {
    if (parts.length > 0) Y.applyUpdate(doc, parts.length === 1 ? (parts[0] as Uint8Array) : Y.mergeUpdates([...parts]));
    const out: Record<string, unknown> = {};
    for (const [name, type] of doc.share) {
      // Freshly decoded top-level types are untyped: a map has keyed entries, a list a linked start.
      out[name] = type._start !== null && type._map.size === 0 ? doc.getArray(name).toJSON() : doc.getMap(name).toJSON();
    }
    return out;
  } finally {
    doc.destroy();
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export async function exportUser(deps: { readonly store: Store; readonly directory: Directory }, userId: string, now: number): Promise<ExportResponse | null> {
  const { store, directory } = deps;
  const user = await directory.user(userId);
  if (!user) return null;
  const memberships = await directory.store.membershipsOf(userId);
  const tenants = await directory.store.listTenants();
  const tenantName = new Map(tenants.map((tenant) => [tenant.id, tenant.name]));

  const rooms: Record<string, Record<string, unknown>> = {};
  for (const tenant of tenants) {
    const base = `t/${tenant.id}/u/${userId}`;
    for (const name of await store.rooms.listRooms(base)) {
      if (name !== base && !name.startsWith(`${base}/`)) continue;
      const stored = await store.rooms.load(name);
      rooms[name] = roomToJson([...(stored.snapshot ? [stored.snapshot] : []), ...stored.updates.map((update) => update.data)]);
    }
  }

  const ledger: Array<ExportResponse['ledger'][number]> = [];
  for (const tenant of tenants) {
    for (const row of await store.ledger.rows(tenant.id, userId)) ledger.push({ tenant: row.tenant, kind: row.kind, amount: row.amount, ref: row.ref, at: row.at });
  }

  return {
    format: 'plaza-export',
    version: 1,
    exportedAt: now,
    user: { id: user.id, displayName: user.displayName, email: user.email, kind: user.kind, createdAt: user.createdAt, lastSeenAt: user.lastSeenAt },
    memberships: memberships.map((membership) => ({
      tenant: { id: membership.tenant, name: tenantName.get(membership.tenant) ?? membership.tenant },
      role: membership.role as AccountRole,
      since: membership.createdAt,
    })),
    logins: (await store.auth.loginsOf(userId)).map((login) => ({
      id: login.sid,
      tenant: login.tenant,
      client: login.client,
      userAgent: login.userAgent,
      createdAt: login.createdAt,
      lastUsedAt: login.lastUsedAt,
      revokedAt: login.revokedAt,
    })),
    rooms,
    decisions: (await store.intents.decisionsOf(userId)).map((row) => ({
      tenant: row.tenant,
      intentId: row.intentId,
      kind: row.kind,
      status: row.status,
      decision: parseJson(row.decision),
      decidedAt: row.decidedAt,
    })),
    ledger,
  };
}
