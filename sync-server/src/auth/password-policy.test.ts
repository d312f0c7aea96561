import { describe, expect, it } from 'vitest';
import { checkNewPassword, commonPasswords } from './password-policy.ts';

describe('new password policy', () => {
  it('ships a list of about a thousand common passwords', () => {
    expect(commonPasswords().size).toBeGreaterThanOrEqual(1000);
    expect(commonPasswords().has('password')).toBe(true);
  });

  it.each([
    ['short', 'abc12345!', 'too-short'],
    ['long', 'a'.repeat(257), 'too-long'],
    ['on the list', 'basketball', 'common'],
    ['on the list, upper case', 'IloveYou123', 'common'],
    ['a listed word with a year and a symbol', 'sunshine2024!', 'common'],
    ['a listed word with digits in front', '1234monkey5678', 'common'],
    ['l33t', 'p@55w0rd!!', 'common'],
    ['l33t with 1 for l, digits after', 'footba11-2024', 'common'],
    ['a listed word twice', 'dragondragon', 'common'],
    ['an alphabet run', 'abcdefghijkl', 'sequence'],
    ['a digit run', '0123456789', 'sequence'],
    ['a reversed keyboard run', 'poiuytrewq', 'sequence'],
    ['three characters repeated', 'abcabcabcabc', 'repetitive'],
    ['one character repeated', 'zzzzzzzzzzzzzz', 'repetitive'],
  ])('refuses %s', (_name, password, code) => {
    const result = checkNewPassword(password);
    expect(result.ok ? 'ok' : result.error.code).toBe(code);
  });

  it('refuses the user’s own email or name', () => {
    expect(checkNewPassword('jane.doe@example.com', { email: 'jane.doe@example.com' })).toMatchObject({ ok: false, error: { code: 'personal' } });
    expect(checkNewPassword('jane.doe.2024', { email: 'jane.doe@example.com' })).toMatchObject({ ok: false, error: { code: 'personal' } });
    expect(checkNewPassword('Margaret Hamilton', { displayName: 'Margaret Hamilton' })).toMatchObject({ ok: false, error: { code: 'personal' } });
  });

  it.each(['tangerine-orbit-walrus-42', 'correct horse battery staple', 'Kx9#mQ2$vL7!', 'ünïcödé-pässwörd', '密码是一个很长的句子'])('accepts %s', (password) => {
    expect(checkNewPassword(password, { email: 'someone@example.com', displayName: 'Someone' }).ok).toBe(true);
  });
});
