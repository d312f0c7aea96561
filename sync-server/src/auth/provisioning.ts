/** Creating tenants and users, shared by the admin API, the admin CLI and first-run setup. */
import { randomBytes } from 'node:crypto';
import type { Role } from '../../../shared/sync/rooms.ts';
import type { DirectoryStore, TenantRecord, UserRecord } from '../store/directory-types.ts';
import type { Directory } from './directory.ts';

export const DEFAULT_TENANT_ID = 'default';

export class DirectoryError extends Error {
  override readonly name = 'DirectoryError';
}

/** Crypto-random ids generated at the edge: a prefix and 16 base32-ish characters. */
export function newId(prefix: string): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyz23456789';
  const bytes = randomBytes(16);
  let out = '';
  for (const byte of bytes) out += alphabet[byte % alphabet.length];
  return `${prefix}_${out}`;
}

export const DEFAULT_POLICY: TenantRecord['policy'] = { guestsMayBrowse: true, taxBps: 0, startingGrant: 100_000, currency: 'USD' };

export async function createTenant(store: DirectoryStore, input: { id: string; name: string; guestsMayBrowse?: boolean; now: number }): Promise<TenantRecord> {
  if (await store.tenant(input.id)) throw new DirectoryError(`tenant ${input.id} already exists`);
  const tenant: TenantRecord = { id: input.id, name: input.name, policy: { ...DEFAULT_POLICY, guestsMayBrowse: input.guestsMayBrowse ?? true }, createdAt: input.now };
  await store.createTenant(tenant);
  return tenant;
}

export async function createUser(
  directory: Directory,
  input: { tenant: string; displayName: string; role: Role; kind: UserRecord['kind']; email?: string | undefined; id?: string | undefined; passwordHash?: string | null; now: number },
): Promise<UserRecord> {
  if (!(await directory.tenant(input.tenant))) throw new DirectoryError(`no tenant ${input.tenant}`);
  if (input.email && (await directory.store.userByEmail(input.email))) throw new DirectoryError('that email is already registered');
  const id = input.id ?? newId(input.kind === 'guest' ? 'g' : 'u');
  if (await directory.store.user(id)) throw new DirectoryError(`user ${id} already exists`);
  const user: UserRecord = {
    id,
    email: input.email ?? null,
    displayName: input.displayName,
    kind: input.kind,
    passwordHash: input.passwordHash ?? null,
    createdAt: input.now,
    lastSeenAt: input.now,
    deletedAt: null,
  };
  await directory.store.createUser(user);
  await directory.setRole(input.tenant, id, input.role, input.now);
  return user;
}

/** First run: a default tenant that allows guests, so `npm start` works with nothing set up. */
export async function ensureDefaultTenant(store: DirectoryStore, now: number): Promise<boolean> {
  if ((await store.listTenants()).length > 0) return false;
  await createTenant(store, { id: DEFAULT_TENANT_ID, name: 'Plaza', guestsMayBrowse: true, now });
  return true;
}
