/**
 * Accounts: one-click guests, registration (a guest becomes an account and keeps its id),
 * password sign-in, password change and reset, deletion, and the sweep of idle guests. Every
 * operation returns a Result whose error code the HTTP layer maps to a status; rate limits are
 * the HTTP layer's business.
 */
import { randomInt } from 'node:crypto';
import { fail, ok, type DomainError, type Result } from '../../../shared/domain/result.ts';
import type { Role } from '../../../shared/sync/rooms.ts';
import { EmailTakenError, type AuthStore, type TenantRecord, type UserRecord } from '../store/directory-types.ts';
import type { Directory } from './directory.ts';
import { checkNewPassword } from './password-policy.ts';
import type { PasswordHasher } from './passwords.ts';
import { DEFAULT_TENANT_ID, newId } from './provisioning.ts';
import { secretDigest, type ClientMeta, type IssuedSession, type SessionService } from './sessions.ts';
import type { AccessClaims } from './tokens.ts';

export type AccountProblemCode =
  | 'no-tenant'
  | 'guests-refused'
  | 'registration-closed'
  | 'email-taken'
  | 'weak-password'
  | 'invite-invalid'
  | 'already-account'
  | 'tenant-mismatch'
  | 'wrong-credentials'
  | 'not-member'
  | 'invalid-token'
  | 'wrong-password'
  | 'no-password';

export type AccountProblem = DomainError<AccountProblemCode>;

export interface AccountSettings {
  readonly guestIdleExpiryMs: number;
  readonly accessTokenTtlSeconds: number;
}

/** One answer for a wrong email and a wrong password. */
export const WRONG_CREDENTIALS = 'email or password is wrong';

export function tenantAllowsGuests(tenant: TenantRecord): boolean {
  return tenant.policy.guestsAllowed ?? true;
}

export function tenantOpenForRegistration(tenant: TenantRecord): boolean {
  return tenant.policy.openRegistration ?? tenant.id === DEFAULT_TENANT_ID;
}

export class AccountService {
  private readonly directory: Directory;
  private readonly store: AuthStore;
  private readonly sessions: SessionService;
  private readonly hasher: PasswordHasher;
  private readonly settings: AccountSettings;
  private readonly now: () => number;

  constructor(deps: { directory: Directory; store: AuthStore; sessions: SessionService; hasher: PasswordHasher; settings: AccountSettings; now: () => number }) {
    this.directory = deps.directory;
    this.store = deps.store;
    this.sessions = deps.sessions;
    this.hasher = deps.hasher;
    this.settings = deps.settings;
    this.now = deps.now;
  }

  /** One click: a guest user named like `Guest-4821` in the tenant, with a session. */
  async guest(tenantId: string | undefined, meta: ClientMeta): Promise<Result<IssuedSession, AccountProblem>> {
    const now = this.now();
    const tenant = await this.directory.tenant(tenantId ?? DEFAULT_TENANT_ID, now);
    if (!tenant) return fail('no-tenant', 'there is no such Plaza on this server');
    if (!tenantAllowsGuests(tenant)) return fail('guests-refused', 'this Plaza does not take guests; sign in or register');
    const displayName = await this.freeGuestName(tenant.id);
    const user: UserRecord = { id: newId('g'), email: null, displayName, kind: 'guest', passwordHash: null, createdAt: now, lastSeenAt: now, deletedAt: null };
    const role = await this.store.saveAccount({ user, upgrade: false, tenant: tenant.id, role: 'guest', claimOwner: false, at: now });
    this.directory.applyMembershipChange({ tenant: tenant.id, user: user.id, role });
    return ok(await this.sessions.start(user, tenant, role, meta));
  }

  private async freeGuestName(tenant: string): Promise<string> {
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const name = `Guest-${String(randomInt(0, 10_000)).padStart(4, '0')}`;
      if (!(await this.store.displayNameTaken(tenant, name))) return name;
    }
    // 10,000 four-digit names are mostly taken: widen rather than loop.
    for (;;) {
      const name = `Guest-${String(randomInt(0, 1_000_000)).padStart(6, '0')}`;
      if (!(await this.store.displayNameTaken(tenant, name))) return name;
    }
  }

  /**
   * Registers an account. With a guest's verified claims, the guest becomes the account (same
   * id, everything kept). The first account of an open tenant without an owner becomes its owner.
   */
  async register(
    input: { readonly email: string; readonly password: string; readonly displayName: string; readonly tenant?: string | undefined; readonly invite?: string | undefined },
    guest: AccessClaims | null,
    meta: ClientMeta,
  ): Promise<Result<IssuedSession, AccountProblem>> {
    const now = this.now();
    if (guest && guest.kind !== 'guest') return fail('already-account', 'you are signed in to an account already; sign out to register another one');
    const tenantId = guest?.tenant ?? input.tenant ?? DEFAULT_TENANT_ID;
    if (guest && input.tenant !== undefined && input.tenant !== guest.tenant) return fail('tenant-mismatch', 'a guest registers in the Plaza they are a guest of');
    const tenant = await this.directory.tenant(tenantId, now);
    if (!tenant) return fail('no-tenant', 'there is no such Plaza on this server');
    const policy = checkNewPassword(input.password, { email: input.email, displayName: input.displayName });
    if (!policy.ok) return fail('weak-password', policy.error.message);

    let existing: UserRecord | null = null;
    if (guest) {
      existing = await this.directory.user(guest.user);
      if (!existing || existing.deletedAt !== null || existing.kind !== 'guest') return fail('invalid-token', 'this guest session has ended; start again');
      if ((await this.directory.store.membership(tenant.id, existing.id)) === null) return fail('not-member', 'you are no longer a guest of this Plaza');
    }
    if (await this.directory.store.userByEmail(input.email)) return fail('email-taken', 'an account with this email exists; sign in instead');

    let role: Role = 'member';
    let claimOwner = tenantOpenForRegistration(tenant);
    if (input.invite !== undefined) {
      const invite = await this.store.useInvite(secretDigest(input.invite), now);
      if (!invite) return fail('invite-invalid', 'this invite is invalid, used up or expired; ask for a new one');
      if (invite.tenant !== tenant.id) return fail('tenant-mismatch', 'this invite is for another Plaza');
      role = invite.role;
      claimOwner = false;
    } else if (!tenantOpenForRegistration(tenant)) {
      return fail('registration-closed', 'this Plaza takes new accounts by invite only');
    }

    const user: UserRecord = {
      id: existing?.id ?? newId('u'),
      email: input.email,
      displayName: input.displayName,
      kind: 'account',
      passwordHash: await this.hasher.hash(input.password),
      createdAt: existing?.createdAt ?? now,
      lastSeenAt: now,
      deletedAt: null,
    };
    let granted: Role;
    try {
      granted = await this.store.saveAccount({ user, upgrade: existing !== null, tenant: tenant.id, role, claimOwner, at: now });
    } catch (error) {
      if (error instanceof EmailTakenError) return fail('email-taken', 'an account with this email exists; sign in instead');
      throw error;
    }
    this.directory.applyMembershipChange({ tenant: tenant.id, user: user.id, role: granted });
    // The guest's own login ends quietly: the client swaps to the new session's tokens, and its
    // sockets follow the role change on their own.
    if (guest) await this.store.revokeLogin(guest.session, now);
    return ok(await this.sessions.start(user, tenant, granted, meta));
  }

  /** Password sign-in. Unknown emails cost the same scrypt work as wrong passwords. */
  async login(input: { readonly email: string; readonly password: string; readonly tenant?: string | undefined }, meta: ClientMeta): Promise<Result<IssuedSession, AccountProblem>> {
    const found = await this.directory.store.userByEmail(input.email);
    const user = found && found.deletedAt === null && found.kind === 'account' ? found : null;
    const check = await this.hasher.verify(input.password, user?.passwordHash ?? null);
    if (!user || !check.ok) return fail('wrong-credentials', WRONG_CREDENTIALS);
    const now = this.now();
    if (check.needsRehash) await this.directory.store.updateUser(user.id, { passwordHash: await this.hasher.hash(input.password) });
    const tenantId = input.tenant ?? (await this.homeTenant(user.id));
    const role = tenantId === null ? null : await this.directory.role(tenantId, user.id, now);
    const tenant = tenantId === null ? null : await this.directory.tenant(tenantId, now);
    if (role === null || !tenant) return fail('not-member', 'your account is not a member of this Plaza');
    await this.directory.store.updateUser(user.id, { lastSeenAt: now });
    return ok(await this.sessions.start({ ...user, lastSeenAt: now }, tenant, role, meta));
  }

  /** The default tenant if the user belongs to it, else the tenant they joined first. */
  private async homeTenant(user: string): Promise<string | null> {
    const memberships = await this.directory.store.membershipsOf(user);
    return (memberships.find((membership) => membership.tenant === DEFAULT_TENANT_ID) ?? memberships[0])?.tenant ?? null;
  }

  /** Checks a signed-in user's password (re-authentication before sensitive changes). */
  async checkPassword(userId: string, password: string): Promise<Result<UserRecord, AccountProblem>> {
    const user = await this.directory.user(userId);
    if (!user || user.deletedAt !== null || user.kind !== 'account' || user.passwordHash === null) return fail('no-password', 'guests have no password; register first');
    const check = await this.hasher.verify(password, user.passwordHash);
    if (!check.ok) return fail('wrong-password', 'the current password is wrong');
    return ok(user);
  }

  /** Changes the password and signs out every other login of the user. */
  async changePassword(claims: AccessClaims, currentPassword: string, newPassword: string): Promise<Result<void, AccountProblem>> {
    const checked = await this.checkPassword(claims.user, currentPassword);
    if (!checked.ok) return checked;
    const policy = checkNewPassword(newPassword, checked.value);
    if (!policy.ok) return fail('weak-password', policy.error.message);
    await this.directory.store.updateUser(claims.user, { passwordHash: await this.hasher.hash(newPassword) });
    await this.sessions.revokeAllOf(claims.user, { except: claims.session });
    return ok(undefined);
  }

  /** Uses a one-time reset token: sets the password and signs out every login of the user. */
  async resetPassword(token: string, newPassword: string): Promise<Result<void, AccountProblem>> {
    const policy = checkNewPassword(newPassword);
    if (!policy.ok) return fail('weak-password', policy.error.message);
    const userId = await this.store.consumeResetToken(secretDigest(token), this.now());
    const user = userId === null ? null : await this.directory.user(userId);
    if (!user || user.deletedAt !== null) return fail('invalid-token', 'this reset link is invalid, used or expired; ask an admin for a new one');
    await this.directory.store.updateUser(user.id, { passwordHash: await this.hasher.hash(newPassword) });
    await this.sessions.revokeAllOf(user.id);
    return ok(undefined);
  }

  /** Anonymizes the user, removes their memberships, ends their logins and closes their sockets. */
  async deleteUser(userId: string): Promise<void> {
    const deleted = await this.store.deleteUser(userId, this.now());
    this.directory.announceUserDeleted(userId, deleted.memberships, deleted.sessions);
  }

  /** Deletes guests idle for longer than configured and purges expired tokens. */
  async sweep(): Promise<{ readonly guests: number; readonly purged: number }> {
    const now = this.now();
    let guests = 0;
    for (;;) {
      const idle = await this.store.idleGuests(now - this.settings.guestIdleExpiryMs, 200);
      for (const id of idle) await this.deleteUser(id);
      guests += idle.length;
      if (idle.length < 200) break;
    }
    // A revoked login's row must outlive every access token it issued (they are checked against it).
    const purged = await this.store.purgeExpired(now, now - this.settings.accessTokenTtlSeconds * 1000 - 60_000);
    return { guests, purged };
  }
}
