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
    /** Whether guest sessions may be started (absent: yes). */
    readonly guestsAllowed?: boolean;
    /** Whether anyone may register into the tenant without an invite (absent: only the default tenant). */
    readonly openRegistration?: boolean;
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

/** One sign-in ("login"): the `sid` claim of its access tokens, and the family of its refresh tokens. */
export interface LoginRecord {
  readonly sid: string;
  readonly user: string;
  readonly tenant: string;
  readonly client: 'desktop' | 'web';
  readonly userAgent: string | null;
  readonly createdAt: number;
  readonly lastUsedAt: number;
  readonly revokedAt: number | null;
}

/** A refresh token as stored: only its SHA-256, never the token. */
export interface RefreshTokenRow {
  readonly hash: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
}

export type RefreshOutcome =
  /** The presented token was valid; it is now used and `next` replaces it. */
  | { readonly kind: 'rotated'; readonly login: LoginRecord }
  /** The presented token had been used before: the whole login is now revoked. */
  | { readonly kind: 'reused'; readonly login: LoginRecord }
  /** Unknown, expired, or its login was revoked. */
  | { readonly kind: 'invalid' };

export interface InviteRecord {
  readonly hash: string;
  readonly tenant: string;
  readonly role: 'member' | 'admin';
  readonly createdBy: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly maxUses: number;
  readonly uses: number;
}

export interface ResetTokenRecord {
  readonly hash: string;
  readonly user: string;
  readonly createdBy: string | null;
  readonly createdAt: number;
  readonly expiresAt: number;
}

export type RoleChangeOutcome = 'ok' | 'not-member' | 'last-owner';

/** Everything a user deletion changed, so that caches and open sockets can follow. */
export interface DeletedUser {
  readonly memberships: readonly MembershipRecord[];
  readonly sessions: readonly string[];
}

export class EmailTakenError extends Error {
  override readonly name = 'EmailTakenError';
}

/**
 * Accounts and sessions. Every method that checks and changes runs atomically in the store
 * (one transaction), so concurrent requests cannot both rotate one refresh token, both claim an
 * unowned tenant or both demote the last two owners.
 */
export interface AuthStore {
  /** Creates a user (or upgrades an existing guest, same id) and its membership in one step. `claimOwner`: owner if the tenant has none yet. Throws EmailTakenError. */
  saveAccount(input: { readonly user: UserRecord; readonly upgrade: boolean; readonly tenant: string; readonly role: Role; readonly claimOwner: boolean; readonly at: number }): Promise<Role>;
  hasOwner(tenant: string): Promise<boolean>;
  /** Whether a live member of the tenant already uses this display name (case-insensitive). */
  displayNameTaken(tenant: string, displayName: string): Promise<boolean>;
  updateTenant(id: string, changes: { readonly name?: string; readonly policy?: TenantRecord['policy'] }): Promise<void>;
  /** Sets a role (or removes the membership with null) unless that would leave the tenant without an owner. */
  changeRole(tenant: string, user: string, role: Role | null, at: number): Promise<RoleChangeOutcome>;

  createLogin(login: LoginRecord, refresh: RefreshTokenRow): Promise<void>;
  login(sid: string): Promise<LoginRecord | null>;
  loginsOf(user: string): Promise<LoginRecord[]>;
  loginOfRefreshToken(hash: string): Promise<LoginRecord | null>;
  /** Checks and uses a refresh token, storing `next` in the same transaction; a reused token revokes its login. */
  rotateRefreshToken(presented: string, next: RefreshTokenRow, now: number): Promise<RefreshOutcome>;
  /** Returns whether the login was live. */
  revokeLogin(sid: string, at: number): Promise<boolean>;
  /** Revokes the user's live logins (optionally only in one tenant, or all but one); returns their ids. */
  revokeLogins(user: string, filter: { readonly tenant?: string; readonly except?: string }, at: number): Promise<string[]>;

  createInvite(invite: InviteRecord): Promise<void>;
  /** Uses an invite once if it is live (not expired, uses left); null otherwise. */
  useInvite(hash: string, now: number): Promise<InviteRecord | null>;

  /** Stores a reset token, replacing the user's earlier unused ones. */
  createResetToken(token: ResetTokenRecord): Promise<void>;
  /** Uses a live reset token once; returns its user, or null. */
  consumeResetToken(hash: string, now: number): Promise<string | null>;

  /** Anonymizes a user (email, name, password gone; deletedAt set), removes memberships and revokes logins, in one step. */
  deleteUser(id: string, at: number): Promise<DeletedUser>;
  /** Guests not seen since `before`. */
  idleGuests(before: number, limit: number): Promise<string[]>;
  /** Drops expired refresh tokens, invites and reset tokens, and logins revoked before `revokedBefore`. */
  purgeExpired(now: number, revokedBefore: number): Promise<number>;
}
