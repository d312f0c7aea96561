/**
 * What a new password must be beyond its length (10–256, checked by the shared schema): not a
 * common password (also with digits or symbols around it, or with l33t swaps), not a run of the
 * alphabet or the keyboard, not three characters repeated, not the user's own email or name.
 */
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../../shared/api/auth.ts';
import { fail, ok, type DomainError, type Result } from '../../../shared/domain/result.ts';
import { COMMON_PASSWORDS } from './common-passwords.ts';

export type PasswordProblem = DomainError<'too-short' | 'too-long' | 'common' | 'sequence' | 'repetitive' | 'personal'>;

let common: ReadonlySet<string> | null = null;

export function commonPasswords(): ReadonlySet<string> {
  common ??= new Set(COMMON_PASSWORDS.split(/\s+/).filter((entry) => entry.length > 0));
  return common;
}

const RUNS = [
  'abcdefghijklmnopqrstuvwxyz',
  '01234567890',
  'qwertyuiopasdfghjklzxcvbnm',
  'qwertzuiopasdfghjklyxcvbnm',
  'azertyuiopqsdfghjklmwxcvbn',
  '1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p',
  'qazwsxedcrfvtgbyhnujmikolp',
  '1q2w3e4r5t6y7u8i9o0p',
  '!@#$%^&*()_+',
].flatMap((run) => [run, [...run].reverse().join('')]);

const LEET: Record<string, string> = { '0': 'o', '3': 'e', '4': 'a', '5': 's', '7': 't', '8': 'b', '9': 'g', '@': 'a', $: 's', '!': 'i', '|': 'l', '+': 't' };

function unleet(text: string, one: 'i' | 'l'): string {
  return [...text].map((char) => (char === '1' ? one : (LEET[char] ?? char))).join('');
}

/** Removes digits, spaces and symbols before the first letter and after the last one. */
function strip(text: string): string {
  return text.replace(/^[^\p{L}]+/u, '').replace(/[^\p{L}]+$/u, '');
}

/** The shortest unit that repeats to make `text` (itself when there is none). */
function repeatedUnit(text: string): string {
  for (let size = 1; size <= text.length / 2; size += 1) {
    if (text.length % size === 0 && text.slice(0, size).repeat(text.length / size) === text) return text.slice(0, size);
  }
  return text;
}

/** How many digits and symbols around a word are tried off, from each end. */
const MAX_AFFIX = 12;

/**
 * The forms of a password to look up: with 0…12 of the digits and symbols around its letters
 * cut off at each end (so `footba11-2024` yields `footba11`), each also with l33t undone
 * (`1` read as `i` or `l`) and reduced to its repeated unit (`dragondragon` → `dragon`).
 */
function candidates(compact: string): Set<string> {
  const out = new Set<string>();
  const lead = /^[^\p{L}]*/u.exec(compact)?.[0].length ?? 0;
  const trail = /[^\p{L}]*$/u.exec(compact)?.[0].length ?? 0;
  const cores = new Set<string>([compact]);
  if (lead < compact.length) {
    for (let head = 0; head <= Math.min(lead, MAX_AFFIX); head += 1) {
      for (let tail = 0; tail <= Math.min(trail, MAX_AFFIX); tail += 1) cores.add(compact.slice(head, compact.length - tail));
    }
  }
  for (const core of cores) {
    for (const variant of [core, unleet(core, 'i'), unleet(core, 'l')]) {
      out.add(variant);
      out.add(repeatedUnit(variant));
      out.add(repeatedUnit(strip(variant)));
    }
  }
  out.delete('');
  return out;
}

export function checkNewPassword(password: string, personal: { readonly email?: string | null; readonly displayName?: string | null } = {}): Result<string, PasswordProblem> {
  if (password.length < PASSWORD_MIN_LENGTH) return fail('too-short', `the password needs at least ${PASSWORD_MIN_LENGTH} characters`);
  if (password.length > PASSWORD_MAX_LENGTH) return fail('too-long', `the password may have at most ${PASSWORD_MAX_LENGTH} characters`);
  const lower = password.normalize('NFKC').toLowerCase();
  if (new Set(lower).size < 4) return fail('repetitive', 'the password repeats too few different characters');
  const compact = lower.replace(/\s+/g, '');
  if (RUNS.some((run) => run.includes(compact))) return fail('sequence', 'the password is a run of the alphabet, digits or the keyboard');
  const list = commonPasswords();
  for (const candidate of candidates(compact)) {
    // Very short bases ("ab" + digits) are judged by length alone; the list has longer words.
    if (candidate.length >= 3 && list.has(candidate)) {
      return fail('common', 'this password is one of the most common ones; pick something less guessable (a few unrelated words work well)');
    }
  }
  const email = personal.email?.toLowerCase() ?? '';
  const local = email.split('@')[0] ?? '';
  const name = personal.displayName?.normalize('NFKC').toLowerCase().replace(/\s+/g, '') ?? '';
  const stripped = strip(compact);
  const personalWords = [email, local, name].filter((word) => word.length >= 3);
  if (personalWords.some((word) => compact === word || stripped === word || stripped === strip(word))) {
    return fail('personal', 'the password may not be your email address or your name');
  }
  return ok(password);
}
