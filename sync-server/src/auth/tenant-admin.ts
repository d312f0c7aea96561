/**
 * What a tenant's owners and admins may do: list members, invite, change roles, remove members,
 * hand out one-time password reset links, change the tenant's settings. The caller has already
 * checked that the actor is an owner or admin of this very tenant (from the store, not the
 * token); the rules between owners and admins are here:
 *  - only owners make owners, and admins cannot change, remove or reset an owner;
 *  - a tenant always keeps one owner (checked atomically in the store);
 *  - a reset link is refused for a user who also belongs to another tenant, whose admins this
 *    tenant's admins are not (that would let them take over an account elsewhere).
 */
import { fail, ok, type DomainError, type Result } from '../../../shared/domain/result.ts';
import type { Role } from '../../../shared/sync/rooms.ts';
import type { MemberInfo } from '../../../shared/api/auth.ts';
import type { AuthStore, TenantRecord } from '../store/directory-types.ts';
import type { Directory } from './directory.ts';
import { newSecret, secretDigest, type ClientMeta, type IssuedSession, type SessionService } from './sessions.ts';

export type TenantAdminProblem = DomainError<'not-found' | 'forbidden' | 'last-owner' | 'guest-user' | 'invite-invalid' | 'not-account'>;

export interface TenantAdminSettings {
  readonly inviteTtlMs: number;
  readonly inviteMaxUses: number;
  readonly resetTokenTtlMs: number;
}

export interface Actor {
  readonly user: string;
  readonly role: Role;
}

const RANK: Record<Role, number> = { guest: 0, member: 1, admin: 2, owner: 3 };

export class TenantAdmin {
  private readonly directory: Directory;
  private readonly store: AuthStore;
  private readonly sessions: SessionService;
  private readonly settings: TenantAdminSettings;
  private readonly now: () => number;

  constructor(deps: { directory: Directory; store: AuthStore; sessions: SessionService; settings: TenantAdminSettings; now: () => number }) {
    this.directory = deps.directory;
    this.store = deps.store;
    this.sessions = deps.sessions;
    this.settings = deps.settings;
    this.now = deps.now;
  }

  async members(tenant: string): Promise<MemberInfo[]> {
    const memberships = await this.directory.store.members(tenant);
    const members: MemberInfo[] = [];
    for (const membership of memberships) {
      const user = await this.directory.user(membership.user);
      if (!user || user.deletedAt !== null) continue;
      members.push({ id: user.id, displayName: user.displayName, email: user.email, kind: user.kind, role: membership.role, createdAt: membership.createdAt });
    }
    return members;
  }

  async member(tenant: string, user: string): Promise<MemberInfo | null> {
    const membership = await this.directory.store.membership(tenant, user);
    const record = membership ? await this.directory.user(user) : null;
    if (!membership || !record || record.deletedAt !== null) return null;
    return { id: record.id, displayName: record.displayName, email: record.email, kind: record.kind, role: membership.role, createdAt: membership.createdAt };
  }

  async createInvite(actor: Actor, tenant: string, role: 'member' | 'admin'): Promise<{ code: string; expiresAt: number; role: 'member' | 'admin'; maxUses: number }> {
    const now = this.now();
    const code = newSecret(18);
    const expiresAt = now + this.settings.inviteTtlMs;
    await this.store.createInvite({ hash: secretDigest(code), tenant, role, createdBy: actor.user, createdAt: now, expiresAt, maxUses: this.settings.inviteMaxUses, uses: 0 });
    return { code, expiresAt, role, maxUses: this.settings.inviteMaxUses };
  }

  /** An account joins the invite's tenant (an existing higher role is kept) and gets a session there. */
  async acceptInvite(userId: string, code: string, meta: ClientMeta): Promise<Result<IssuedSession, TenantAdminProblem>> {
    const now = this.now();
    const user = await this.directory.user(userId);
    if (!user || user.deletedAt !== null) return fail('not-found', 'your account no longer exists');
    if (user.kind !== 'account') return fail('not-account', 'guests register first, then accept the invite (or register with it)');
    const invite = await this.store.useInvite(secretDigest(code), now);
    const tenant = invite ? await this.directory.tenant(invite.tenant, now) : null;
    if (!invite || !tenant) return fail('invite-invalid', 'this invite is invalid, used up or expired; ask for a new one');
    const current = (await this.directory.store.membership(tenant.id, user.id))?.role ?? null;
    let role: Role = invite.role;
    if (current !== null && RANK[current] >= RANK[invite.role]) role = current;
    else await this.directory.setRole(tenant.id, user.id, role, now);
    return ok(await this.sessions.start(user, tenant, role, meta));
  }

  async setRole(actor: Actor, tenant: string, target: string, role: 'owner' | 'admin' | 'member'): Promise<Result<MemberInfo, TenantAdminProblem>> {
    const checked = await this.checkTarget(actor, tenant, target);
    if (!checked.ok) return checked;
    if (checked.value.kind === 'guest') return fail('guest-user', 'a guest gets a role after registering');
    if (role === 'owner' && actor.role !== 'owner') return fail('forbidden', 'only owners can make someone an owner');
    const outcome = await this.store.changeRole(tenant, target, role, this.now());
    if (outcome === 'not-member') return fail('not-found', 'that user is not a member of this tenant');
    if (outcome === 'last-owner') return fail('last-owner', 'a tenant keeps at least one owner; make someone else owner first');
    this.directory.applyMembershipChange({ tenant, user: target, role });
    return ok({ ...checked.value, role });
  }

  async removeMember(actor: Actor, tenant: string, target: string): Promise<Result<void, TenantAdminProblem>> {
    const checked = await this.checkTarget(actor, tenant, target);
    if (!checked.ok) return checked;
    const outcome = await this.store.changeRole(tenant, target, null, this.now());
    if (outcome === 'not-member') return fail('not-found', 'that user is not a member of this tenant');
    if (outcome === 'last-owner') return fail('last-owner', 'a tenant keeps at least one owner; make someone else owner first');
    this.directory.applyMembershipChange({ tenant, user: target, role: null });
    await this.sessions.revokeAllOf(target, { tenant });
    return ok(undefined);
  }

  async resetLink(actor: Actor, tenant: string, target: string): Promise<Result<{ token: string; expiresAt: number }, TenantAdminProblem>> {
    const checked = await this.checkTarget(actor, tenant, target);
    if (!checked.ok) return checked;
    if (checked.value.kind !== 'account') return fail('not-account', 'guests have no password to reset');
    const elsewhere = (await this.directory.store.membershipsOf(target)).some((membership) => membership.tenant !== tenant);
    if (elsewhere) return fail('forbidden', 'this user also belongs to another tenant; only the server operator can reset their password');
    const now = this.now();
    const token = newSecret();
    const expiresAt = now + this.settings.resetTokenTtlMs;
    await this.store.createResetToken({ hash: secretDigest(token), user: target, createdBy: actor.user, createdAt: now, expiresAt });
    return ok({ token, expiresAt });
  }

  /** Operator only (outside every tenant): a reset link for any account. */
  async operatorResetLink(target: string): Promise<Result<{ token: string; expiresAt: number }, TenantAdminProblem>> {
    const user = await this.directory.user(target);
    if (!user || user.deletedAt !== null) return fail('not-found', 'no such user');
    if (user.kind !== 'account') return fail('not-account', 'guests have no password to reset');
    const now = this.now();
    const token = newSecret();
    const expiresAt = now + this.settings.resetTokenTtlMs;
    await this.store.createResetToken({ hash: secretDigest(token), user: target, createdBy: null, createdAt: now, expiresAt });
    return ok({ token, expiresAt });
  }

  async updateTenant(
    tenant: TenantRecord,
    changes: { readonly name?: string | undefined; readonly guestsMayBrowse?: boolean | undefined; readonly guestsAllowed?: boolean | undefined; readonly openRegistration?: boolean | undefined; readonly taxBps?: number | undefined; readonly startingGrant?: number | undefined },
  ): Promise<TenantRecord> {
    const { name, ...policyChanges } = changes;
    const definedPolicy = Object.fromEntries(Object.entries(policyChanges).filter(([, value]) => value !== undefined));
    const policy: TenantRecord['policy'] = { ...tenant.policy, ...definedPolicy };
    await this.store.updateTenant(tenant.id, { ...(name !== undefined ? { name } : {}), policy });
    this.directory.invalidateTenant(tenant.id);
    const updated = (await this.directory.tenant(tenant.id)) ?? { ...tenant, name: name ?? tenant.name, policy };
    if (policy.guestsMayBrowse !== tenant.policy.guestsMayBrowse) {
      // Guests' open sockets are re-checked against the new policy (the role stays the same).
      for (const membership of await this.directory.store.members(tenant.id)) {
        if (membership.role === 'guest') this.directory.applyMembershipChange({ tenant: tenant.id, user: membership.user, role: 'guest' });
      }
    }
    return updated;
  }

  /** The target must be a live member; admins may not touch owners. */
  private async checkTarget(actor: Actor, tenant: string, target: string): Promise<Result<MemberInfo, TenantAdminProblem>> {
    const member = await this.member(tenant, target);
    if (!member) return fail('not-found', 'that user is not a member of this tenant');
    if (member.role === 'owner' && actor.role !== 'owner') return fail('forbidden', "only owners can change an owner's role, remove an owner or reset an owner's password");
    return ok(member);
  }
}
