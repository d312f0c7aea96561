/**
 * Untrusted text (titles, descriptions, tags, display names) is cleaned before it is validated
 * or stored. Cleaning never interprets markup: `<b>` stays the four characters `<b>`, and the UI
 * renders text, never HTML. What is removed is what can't be seen or what fools the eye:
 * control characters (C0, DEL, C1), bidirectional overrides and isolates (the "Trojan source"
 * trick of making text read differently than it is stored), and lone UTF-16 surrogates (which
 * don't survive a round trip through UTF-8). The result is NFC so equal text has equal length.
 */

/** Line breaks and tabs turn into spaces in single-line text; other controls vanish. */
const WHITESPACE_CONTROLS = /[\t\n\v\f\r\u0085\u2028\u2029]/gu;
const CONTROLS = /\p{Cc}/gu;
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/gu;
const LONE_SURROGATES = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const SPACE_RUNS = /[ \u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]+/gu;

/**
 * Raw input longer than this many UTF-16 units per allowed code point is refused before any
 * regular expression runs on it, so a 50 MB "title" costs a length check, not a scan.
 */
export const RAW_LENGTH_FACTOR = 4;

/** Length in Unicode code points (an emoji counts once, a combining accent counts once more). */
export function codePointLength(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

/** True when raw input is so long that it can't be valid for a limit of `maxCodePoints`. */
export function isHopelesslyLong(raw: string, maxCodePoints: number): boolean {
  return raw.length > maxCodePoints * RAW_LENGTH_FACTOR + 64;
}

function stripInvisible(text: string): string {
  return text.replace(LONE_SURROGATES, '\uFFFD').replace(BIDI_CONTROLS, '').replace(CONTROLS, '');
}

/** One line of text: breaks become spaces, controls vanish, runs of spaces collapse, trimmed. */
export function cleanLine(raw: string): string {
  const spaced = raw.replace(LONE_SURROGATES, '\uFFFD').replace(WHITESPACE_CONTROLS, ' ');
  return stripInvisible(spaced).normalize('NFC').replace(SPACE_RUNS, ' ').trim();
}

/**
 * Multi-line text: CRLF, CR and Unicode separators become `\n`, tabs become spaces, other
 * controls vanish, trailing spaces on each line go (indentation stays: descriptions may be
 * Markdown), more than one blank line collapses to one, and the whole is trimmed.
 */
export function cleanMultiline(raw: string): string {
  const unified = raw
    .replace(LONE_SURROGATES, '\uFFFD')
    .replace(/\r\n?|[\u0085\u2028\u2029]/gu, '\n')
    .replace(/[\t\v\f]/gu, ' ');
  const lines = unified.split('\n').map((line) => stripInvisible(line).trimEnd());
  return lines
    .join('\n')
    .normalize('NFC')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Letters that NFKD does not take apart but people type without their marks. */
const FOLDS: Readonly<Record<string, string>> = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i' };
const DIACRITICS = /\p{M}+/gu;
const FOLDABLE = /[ßæœøłđðþı]/gu;

/**
 * Case- and accent-insensitive form of a text for search and comparison: NFKD (so `ﬁ` is `fi`
 * and `é` is `e` + accent), accents stripped, lower-cased, a few letters folded (`ß` → `ss`),
 * spaces collapsed. `Crème Brûlée` and `creme brulee` fold to the same string.
 */
export function foldText(text: string): string {
  return cleanLine(text)
    .normalize('NFKD')
    .replace(DIACRITICS, '')
    .toLowerCase()
    .replace(FOLDABLE, (letter) => FOLDS[letter] ?? letter)
    .replace(SPACE_RUNS, ' ')
    .trim();
}
