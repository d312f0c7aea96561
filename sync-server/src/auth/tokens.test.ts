import { describe, expect, it } from 'vitest';
import { temporaryDir } from '../test-support/harness.ts';
import { TokenService } from './tokens.ts';

const claims = { user: 'u1', tenant: 't1', role: 'member' as const, name: 'Ada', session: 's1', kind: 'account' as const };

describe('TokenService.verify with its cache of verified tokens', () => {
  it('a verified token verifies again with the same claims until it expires, then reads as expired', async () => {
    const tokens = await TokenService.fromDataDir(temporaryDir());
    const issuedAt = Date.UTC(2026, 0, 1, 12, 0, 0);
    const { token, expiresAt } = await tokens.issue(claims, 60, issuedAt);
    const first = await tokens.verify(token, issuedAt + 1_000);
    expect(first.ok && first.value).toMatchObject({ user: 'u1', tenant: 't1', role: 'member', expiresAt });
    const again = await tokens.verify(token, expiresAt - 1);
    expect(again.ok && again.value).toEqual(first.ok && first.value);
    const late = await tokens.verify(token, expiresAt);
    expect(late.ok ? 'ok' : late.error.code).toBe('expired');
    // Forgotten once expired: still expired, never valid again.
    const later = await tokens.verify(token, expiresAt + 5_000);
    expect(later.ok ? 'ok' : later.error.code).toBe('expired');
  });

  it('a token expired on first sight is refused like before (nothing cached)', async () => {
    const tokens = await TokenService.fromDataDir(temporaryDir());
    const { token, expiresAt } = await tokens.issue(claims, 60, Date.UTC(2026, 0, 1));
    const verified = await tokens.verify(token, expiresAt + 1);
    expect(verified.ok ? 'ok' : verified.error.code).toBe('expired');
  });

  it('a tampered copy of a cached token is still invalid', async () => {
    const tokens = await TokenService.fromDataDir(temporaryDir());
    const now = Date.UTC(2026, 0, 1);
    const { token } = await tokens.issue(claims, 600, now);
    expect((await tokens.verify(token, now)).ok).toBe(true);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const forged = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    forged.role = 'owner';
    const tampered = `${header}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${signature}`;
    const result = await tokens.verify(tampered, now);
    expect(result.ok ? 'ok' : result.error.code).toBe('invalid');
    // Change the signature's first character: every bit of it is significant (the last one's are not all).
    const flipped = `${header}.${payload}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
    expect((await tokens.verify(flipped, now)).ok).toBe(false);
  });

  it('a token signed by another server is invalid here even if that server verified it', async () => {
    const ours = await TokenService.fromDataDir(temporaryDir());
    const theirs = await TokenService.fromDataDir(temporaryDir());
    const now = Date.UTC(2026, 0, 1);
    const { token } = await theirs.issue(claims, 600, now);
    expect((await theirs.verify(token, now)).ok).toBe(true);
    expect((await ours.verify(token, now)).ok).toBe(false);
  });
});
