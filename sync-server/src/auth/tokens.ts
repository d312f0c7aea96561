/**
 * Access tokens: short-lived JWTs signed with Ed25519 (jose). Verification fixes the algorithm,
 * issuer, audience, key id and expiry; tenant, user and role are read from the verified token
 * only. The signing key lives in the data directory (or comes from configuration, shared by
 * every server process).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, errors, type JWK, type CryptoKey } from 'jose';
import { z } from 'zod';
import { ROLES } from '../../../shared/sync/rooms.ts';
import { fail, ok, type DomainError, type Result } from '../../../shared/domain/result.ts';

export const ISSUER = 'plaza';
export const AUDIENCE = 'plaza-sync';
const ALGORITHM = 'EdDSA';

const claimsSchema = z.object({
  sub: z.string().min(1).max(64),
  tid: z.string().min(1).max(64),
  role: z.enum(ROLES),
  name: z.string().max(80),
  sid: z.string().min(1).max(64),
  kind: z.enum(['account', 'guest']),
  exp: z.number(),
  iat: z.number(),
});

export interface AccessClaims {
  readonly user: string;
  readonly tenant: string;
  readonly role: (typeof ROLES)[number];
  readonly name: string;
  /** The login session this token belongs to; revoking it closes its sockets. */
  readonly session: string;
  readonly kind: 'account' | 'guest';
  readonly expiresAt: number;
}

export type TokenProblem = DomainError<'missing' | 'invalid' | 'expired'>;

interface SigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
}

/** Tokens remembered as verified; beyond this the oldest are forgotten (and verified again). */
const VERIFIED_CACHE_SIZE = 10_000;

export class TokenService {
  private readonly key: SigningKey;
  /**
   * Tokens that passed verification, by their exact text, until they expire: a signature check
   * costs more than the rest of a small request, and the same text verifies the same way every
   * time (one key, no revocation list: expiry is the only thing that changes).
   */
  private readonly verified = new Map<string, AccessClaims>();

  private constructor(key: SigningKey) {
    this.key = key;
  }

  /** Loads the signing key from `<dataDir>/keys/access-token.jwk`, creating it on first start. */
  static async fromDataDir(dataDir: string, configuredJwk?: string): Promise<TokenService> {
    let jwk: JWK;
    if (configuredJwk) {
      jwk = JSON.parse(configuredJwk) as JWK;
    } else {
      const file = path.join(dataDir, 'keys', 'access-token.jwk');
      if (existsSync(file)) {
        jwk = JSON.parse(readFileSync(file, 'utf8')) as JWK;
      } else {
        const pair = await generateKeyPair(ALGORITHM, { crv: 'Ed25519', extractable: true });
        jwk = await exportJWK(pair.privateKey);
        mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
        writeFileSync(file, JSON.stringify(jwk), { mode: 0o600 });
      }
    }
    if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || !jwk.d || !jwk.x) throw new Error('the access-token key must be an Ed25519 private JWK');
    const publicJwk: JWK = { kty: 'OKP', crv: 'Ed25519', x: jwk.x };
    const kid = await calculateJwkThumbprint(publicJwk);
    return new TokenService({
      kid,
      privateKey: (await importJWK(jwk, ALGORITHM)) as CryptoKey,
      publicKey: (await importJWK(publicJwk, ALGORITHM)) as CryptoKey,
    });
  }

  get keyId(): string {
    return this.key.kid;
  }

  async issue(claims: Omit<AccessClaims, 'expiresAt'>, ttlSeconds: number, nowMs = Date.now()): Promise<{ token: string; expiresAt: number }> {
    const issuedAt = Math.floor(nowMs / 1000);
    const expiresAt = issuedAt + ttlSeconds;
    const token = await new SignJWT({ tid: claims.tenant, role: claims.role, name: claims.name, sid: claims.session, kind: claims.kind })
      .setProtectedHeader({ alg: ALGORITHM, kid: this.key.kid, typ: 'JWT' })
      .setSubject(claims.user)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(issuedAt)
      .setExpirationTime(expiresAt)
      .sign(this.key.privateKey);
    return { token, expiresAt: expiresAt * 1000 };
  }

  async verify(token: string | null | undefined, nowMs = Date.now()): Promise<Result<AccessClaims, TokenProblem>> {
    if (!token) return fail('missing', 'no access token');
    if (token.length > 4096) return fail('invalid', 'invalid access token');
    const known = this.verified.get(token);
    if (known) {
      // jose's rule: expired once the whole second `exp` has begun.
      if (nowMs < known.expiresAt) return ok(known);
      this.verified.delete(token);
      return fail('expired', 'access token expired');
    }
    try {
      const { payload, protectedHeader } = await jwtVerify(token, this.key.publicKey, {
        algorithms: [ALGORITHM],
        issuer: ISSUER,
        audience: AUDIENCE,
        requiredClaims: ['exp', 'iat', 'sub'],
        currentDate: new Date(nowMs),
      });
      if (protectedHeader.kid !== this.key.kid) return fail('invalid', 'invalid access token');
      const claims = claimsSchema.safeParse(payload);
      if (!claims.success) return fail('invalid', 'invalid access token');
      const value = claims.data;
      const accepted: AccessClaims = { user: value.sub, tenant: value.tid, role: value.role, name: value.name, session: value.sid, kind: value.kind, expiresAt: value.exp * 1000 };
      if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.delete(this.verified.keys().next().value as string);
      this.verified.set(token, accepted);
      return ok(accepted);
    } catch (error) {
      if (error instanceof errors.JWTExpired) return fail('expired', 'access token expired');
      return fail('invalid', 'invalid access token');
    }
  }
}

/** The operator credential (outside every tenant): a random secret kept in the data directory. */
export function operatorSecretFile(dataDir: string): string {
  return path.join(dataDir, 'keys', 'operator.key');
}

export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}
