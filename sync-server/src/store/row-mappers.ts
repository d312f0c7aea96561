/**
 * Rows of both stores back into records. The two schemas are the same but for the user column:
 * SQLite calls it `user`, Postgres `user_id` (`user` is reserved there).
 */
import { isImageMime } from '../../../shared/domain/commerce/image-bytes.ts';
import type { Role } from '../../../shared/sync/rooms.ts';
import type { InviteRecord, LoginRecord, MembershipRecord, TenantRecord, UserRecord } from './directory-types.ts';
import { StoreError, type BlobRecord, type DeadlineRow, type DecisionRow } from './types.ts';

export type Row = Record<string, unknown>;

const nullableNumber = (value: unknown): number | null => (value === null ? null : Number(value));
const nullableString = (value: unknown): string | null => (value === null ? null : String(value));

export interface RowMappers {
  decision(row: Row): DecisionRow;
  deadline(row: Row): DeadlineRow;
  tenant(row: Row): TenantRecord;
  user(row: Row): UserRecord;
  login(row: Row): LoginRecord;
  invite(row: Row): InviteRecord;
  membership(row: Row): MembershipRecord;
  blob(row: Row): BlobRecord;
}

/** The columns of `blobs` that `blob()` reads (every query but the one for the bytes selects these). */
export const BLOB_COLUMNS = 'tenant, hash, mime, size, created_at';

export function rowMappers(userColumn: 'user' | 'user_id'): RowMappers {
  return {
    decision: (row) => ({
      tenant: String(row.tenant),
      user: String(row[userColumn]),
      intentId: String(row.intent_id),
      kind: String(row.kind),
      status: String(row.status),
      decision: String(row.decision),
      decidedAt: Number(row.decided_at),
    }),
    deadline: (row) => ({ id: String(row.id), tenant: String(row.tenant), referee: String(row.referee), kind: String(row.kind), fireAt: Number(row.fire_at), payload: String(row.payload) }),
    tenant: (row) => ({ id: String(row.id), name: String(row.name), policy: JSON.parse(String(row.policy)) as TenantRecord['policy'], createdAt: Number(row.created_at) }),
    user: (row) => ({
      id: String(row.id),
      email: nullableString(row.email),
      displayName: String(row.display_name),
      kind: String(row.kind) as UserRecord['kind'],
      passwordHash: nullableString(row.password_hash),
      createdAt: Number(row.created_at),
      lastSeenAt: Number(row.last_seen_at),
      deletedAt: nullableNumber(row.deleted_at),
    }),
    login: (row) => ({
      sid: String(row.sid),
      user: String(row[userColumn]),
      tenant: String(row.tenant),
      client: String(row.client) === 'desktop' ? 'desktop' : 'web',
      userAgent: nullableString(row.user_agent),
      createdAt: Number(row.created_at),
      lastUsedAt: Number(row.last_used_at),
      revokedAt: nullableNumber(row.revoked_at),
    }),
    invite: (row) => ({
      hash: String(row.hash),
      tenant: String(row.tenant),
      role: String(row.role) === 'admin' ? 'admin' : 'member',
      createdBy: String(row.created_by),
      createdAt: Number(row.created_at),
      expiresAt: Number(row.expires_at),
      maxUses: Number(row.max_uses),
      uses: Number(row.uses),
    }),
    membership: (row) => ({ tenant: String(row.tenant), user: String(row[userColumn]), role: String(row.role) as Role, createdAt: Number(row.created_at) }),
    blob: (row) => {
      const mime = String(row.mime);
      if (!isImageMime(mime)) throw new StoreError(`blob ${String(row.hash)} has an unknown type "${mime}"`);
      return { tenant: String(row.tenant), hash: String(row.hash), mime, size: Number(row.size), createdAt: Number(row.created_at) };
    },
  };
}
