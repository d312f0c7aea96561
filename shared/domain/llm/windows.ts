/**
 * Budget windows in UTC, computed from a `now` the caller passes in (milliseconds since the
 * epoch). A day is `YYYY-MM-DD`, a month `YYYY-MM`. A reservation belongs to the window in which it
 * was admitted; a window that resets does not free the reservations still open in the old one.
 */

function assertTime(now: number): Date {
  if (!Number.isFinite(now)) throw new RangeError(`now must be a finite number of milliseconds, got ${now}`);
  return new Date(now);
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/** `YYYY-MM-DD` of `now` in UTC. */
export function dayWindow(now: number): string {
  const date = assertTime(now);
  return `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
}

/** `YYYY-MM` of `now` in UTC. */
export function monthWindow(now: number): string {
  const date = assertTime(now);
  return `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}`;
}

/** The first millisecond of the next UTC day. */
export function nextDayStart(now: number): number {
  const date = assertTime(now);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + 1);
}

/** The first millisecond of the next UTC month. */
export function nextMonthStart(now: number): number {
  const date = assertTime(now);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
}

/** `2026-01-02 00:00 UTC`: reset times for people, independent of the viewer's time zone. */
export function formatUtc(time: number): string {
  const date = assertTime(time);
  return `${dayWindow(time)} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())} UTC`;
}
