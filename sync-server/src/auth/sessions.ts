/**
 * Logins and their tokens. A login (the `sid` claim) is one sign-in on one device; it holds a
 * family of refresh tokens of which only the newest is live: each use rotates it, and presenting
 * one that was already used (a stolen copy, or a replay) revokes the whole login and closes its
 * sockets. Refresh tokens are 32 random bytes (base64url), stored only as their SHA-256.
 */
import { randomBytes } from 'node:crypto';
import type { Role } from '../../../shared/sync/rooms.ts';
import { fail, ok, type DomainError, type Result } from '../../../shared/domain/result.ts';
import type { AuthStore, LoginRecord, TenantRecord, UserRecord } from '../store/directory-types.ts';
import type { Directory } from './directory.ts';
import { newId } from './provisioning.ts';
import { hashSecret, type AccessClaims, type TokenService } from './tokens.ts';

export interface SessionSettings {
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlMs: number;
}

export interface ClientMeta {
  readonly client: 'desktop' | 'web';
  readonly userAgent: string | null;
}

export interface IssuedSession {
  readonly accessToken: string;
  readonly accessTokenExpiresAt: number;
  readonly refreshToken: string;
  readonly refreshTokenExpiresAt: number;
  readonly sessionId: string;
  readonly user: UserRecord;
  readonly tenant: TenantRecord;
  readonly role: Role;
}

export type RefreshProblem = DomainError<'invalid-token' | 'not-member'>;

/** 32 random bytes, base64url: refresh tokens, reset tokens. */
export function newSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** How secrets are stored: their SHA-256 in hex. */
export function secretDigest(secret: string): string {
  return hashSecret(secret).toString('hex');
}

export class SessionService {
  private readonly store: AuthStore;
  private readonly directory: Directory;
  private readonly tokens: TokenService;
  private readonly settings: SessionSettings;
  private readonly now: () => number;

  constructor(deps: { store: AuthStore; directory: Directory; tokens: TokenService; settings: SessionSettings; now: () => number }) {
    this.store = deps.store;
    this.directory = deps.directory;
    this.tokens = deps.tokens;
    this.settings = deps.settings;
    this.now = deps.now;
  }

  /** Starts a new login for a user in a tenant. */
  async start(user: UserRecord, tenant: TenantRecord, role: Role, meta: ClientMeta): Promise<IssuedSession> {
    const now = this.now();
    const login: LoginRecord = {
      sid: newId('s'),
      user: user.id,
      tenant: tenant.id,
      client: meta.client,
      userAgent: meta.userAgent?.slice(0, 256) ?? null,
      createdAt: now,
      lastUsedAt: now,
      revokedAt: null,
    };
    const refreshToken = newSecret();
    const refreshTokenExpiresAt = now + this.settings.refreshTokenTtlMs;
    await this.store.createLogin(login, { hash: secretDigest(refreshToken), issuedAt: now, expiresAt: refreshTokenExpiresAt });
    return this.issue(login.sid, user, tenant, role, refreshToken, refreshTokenExpiresAt, now);
  }

  /** Rotates a refresh token into a new session of the same login, with the role read afresh. */
  async refresh(presented: string): Promise<Result<IssuedSession, RefreshProblem>> {
    const now = this.now();
    const refreshToken = newSecret();
    const refreshTokenExpiresAt = now + this.settings.refreshTokenTtlMs;
    const outcome = await this.store.rotateRefreshToken(secretDigest(presented), { hash: secretDigest(refreshToken), issuedAt: now, expiresAt: refreshTokenExpiresAt }, now);
    if (outcome.kind === 'reused') {
      this.directory.revokeSession(outcome.login.sid);
      return fail('invalid-token', 'this sign-in was ended because its refresh token was used twice; sign in again');
    }
    if (outcome.kind === 'invalid') return fail('invalid-token', 'the session has ended; sign in again');
    const { login } = outcome;
    const user = await this.directory.user(login.user);
    const tenant = await this.directory.tenant(login.tenant, now);
    const role = await this.directory.role(login.tenant, login.user, now);
    if (!user || user.deletedAt !== null || !tenant) {
      await this.revoke(login.sid);
      return fail('invalid-token', 'the session has ended; sign in again');
    }
    if (role === null) {
      await this.revoke(login.sid);
      return fail('not-member', 'you are no longer a member of this Plaza');
    }
    await this.directory.store.updateUser(user.id, { lastSeenAt: now });
    return ok(await this.issue(login.sid, { ...user, lastSeenAt: now }, tenant, role, refreshToken, refreshTokenExpiresAt, now));
  }

  /** Ends a login: its refresh tokens stop working and its open sockets close. */
  async revoke(sid: string): Promise<void> {
    await this.store.revokeLogin(sid, this.now());
    this.directory.revokeSession(sid);
  }

  /** Ends a user's logins (all, in one tenant, or all but one) and closes their sockets. */
  async revokeAllOf(user: string, filter: { readonly tenant?: string; readonly except?: string } = {}): Promise<string[]> {
    const sids = await this.store.revokeLogins(user, filter, this.now());
    for (const sid of sids) this.directory.revokeSession(sid);
    return sids;
  }

  /**
   * Whether an access token's login still stands: false once it was signed out, rotated into a
   * reuse, or revoked by a password change, reset, removal or deletion. Tokens the operator
   * minted have no login and are judged by their signature and expiry alone. The WebSocket
   * upgrade can call this too, so that a signed-out access token opens no new socket.
   */
  async accepts(claims: AccessClaims): Promise<boolean> {
    const login = await this.store.login(claims.session);
    return !login || (login.revokedAt === null && login.user === claims.user && login.tenant === claims.tenant);
  }

  /** The login a refresh token belongs to, used or not (sign-out with only a refresh token). */
  loginOfRefreshToken(presented: string): Promise<LoginRecord | null> {
    return this.store.loginOfRefreshToken(secretDigest(presented));
  }

  private async issue(sid: string, user: UserRecord, tenant: TenantRecord, role: Role, refreshToken: string, refreshTokenExpiresAt: number, now: number): Promise<IssuedSession> {
    const access = await this.tokens.issue(
      { user: user.id, tenant: tenant.id, role, name: user.displayName.slice(0, 80), session: sid, kind: user.kind },
      this.settings.accessTokenTtlSeconds,
      now,
    );
    return { accessToken: access.token, accessTokenExpiresAt: access.expiresAt, refreshToken, refreshTokenExpiresAt, sessionId: sid, user, tenant, role };
  }
}
