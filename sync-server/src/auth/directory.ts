/**
 * Who belongs where, with a small cache in front of the store. Membership is re-checked on every
 * room join and HTTP request (through this cache), and every change is announced so that open
 * connections are closed or downgraded at once.
 */
import { EventEmitter } from 'node:events';
import type { Role } from '../../../shared/sync/rooms.ts';
import type { DirectoryStore, TenantRecord, UserRecord } from '../store/directory-types.ts';

export interface MembershipChange {
  readonly tenant: string;
  readonly user: string;
  readonly role: Role | null;
}

interface DirectoryEvents {
  'membership-changed': [MembershipChange];
  'session-revoked': [{ readonly session: string }];
  'user-deleted': [{ readonly user: string }];
}

export class Directory extends EventEmitter<DirectoryEvents> {
  readonly store: DirectoryStore;
  private readonly roles = new Map<string, { role: Role | null; at: number }>();
  private readonly tenants = new Map<string, { tenant: TenantRecord | null; at: number }>();
  private readonly ttlMs: number;

  constructor(store: DirectoryStore, ttlMs = 30_000) {
    super();
    this.store = store;
    this.ttlMs = ttlMs;
  }

  async role(tenant: string, user: string, now = Date.now()): Promise<Role | null> {
    const key = `${tenant}\u0000${user}`;
    const cached = this.roles.get(key);
    if (cached && now - cached.at < this.ttlMs) return cached.role;
    const membership = await this.store.membership(tenant, user);
    const role = membership?.role ?? null;
    this.roles.set(key, { role, at: now });
    if (this.roles.size > 50_000) this.roles.clear();
    return role;
  }

  async tenant(id: string, now = Date.now()): Promise<TenantRecord | null> {
    const cached = this.tenants.get(id);
    if (cached && now - cached.at < this.ttlMs) return cached.tenant;
    const tenant = await this.store.tenant(id);
    this.tenants.set(id, { tenant, at: now });
    return tenant;
  }

  user(id: string): Promise<UserRecord | null> {
    return this.store.user(id);
  }

  async setRole(tenant: string, user: string, role: Role | null, now = Date.now()): Promise<void> {
    await this.store.setMembership(tenant, user, role, now);
    this.applyMembershipChange({ tenant, user, role });
  }

  /** Applies a change made elsewhere (another process) to this cache and announces it. */
  applyMembershipChange(change: MembershipChange): void {
    this.roles.set(`${change.tenant}\u0000${change.user}`, { role: change.role, at: Date.now() });
    this.emit('membership-changed', change);
  }

  invalidateTenant(id: string): void {
    this.tenants.delete(id);
  }

  revokeSession(session: string): void {
    this.emit('session-revoked', { session });
  }

  /**
   * Announces a deleted user: every membership they had is gone (caches follow, sockets close)
   * and so are their logins.
   */
  announceUserDeleted(user: string, memberships: ReadonlyArray<{ readonly tenant: string }>, sessions: readonly string[]): void {
    for (const membership of memberships) this.applyMembershipChange({ tenant: membership.tenant, user, role: null });
    for (const session of sessions) this.revokeSession(session);
    this.emit('user-deleted', { user });
  }
}
