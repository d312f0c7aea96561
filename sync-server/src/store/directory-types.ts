/** Tenants, users and memberships: who may connect where, with which role. */
import type { Role, TenantPolicy } from '../../../shared/sync/rooms.ts';

export interface TenantRecord {
  readonly id: string;
  readonly name: string;
  readonly policy: TenantPolicy & {
    /** Tax rate of the shop in basis points. */
    readonly taxBps: number;
    /** Play money granted to every new member of the markets, in minor units. */
    readonly startingGrant: number;
    readonly currency: string;
  };
  readonly createdAt: number;
}

export type UserKind = 'account' | 'guest';

export interface UserRecord {
  readonly id: string;
  readonly email: string | null;
  readonly displayName: string;
  readonly kind: UserKind;
  readonly passwordHash: string | null;
  readonly createdAt: number;
  readonly lastSeenAt: number;
  readonly deletedAt: number | null;
}

export interface MembershipRecord {
  readonly tenant: string;
  readonly user: string;
  readonly role: Role;
  readonly createdAt: number;
}

export interface DirectoryStore {
  createTenant(tenant: TenantRecord): Promise<void>;
  tenant(id: string): Promise<TenantRecord | null>;
  listTenants(): Promise<TenantRecord[]>;
  updateTenantPolicy(id: string, policy: TenantRecord['policy']): Promise<void>;
  createUser(user: UserRecord): Promise<void>;
  user(id: string): Promise<UserRecord | null>;
  userByEmail(email: string): Promise<UserRecord | null>;
  updateUser(id: string, changes: Partial<Pick<UserRecord, 'email' | 'displayName' | 'kind' | 'passwordHash' | 'lastSeenAt' | 'deletedAt'>>): Promise<void>;
  /** `null` removes the membership. */
  setMembership(tenant: string, user: string, role: Role | null, at: number): Promise<void>;
  membership(tenant: string, user: string): Promise<MembershipRecord | null>;
  members(tenant: string): Promise<MembershipRecord[]>;
  membershipsOf(user: string): Promise<MembershipRecord[]>;
}
