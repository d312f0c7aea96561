/**
 * Rules the server checks on content that writers may store. An update from a connection that
 * may write is never dropped (that would freeze the writer: Yjs keeps its later updates pending
 * forever); content breaking a rule is stored and relayed, hidden by every projection, and
 * reported here: a metric, a log line and a message to the writer.
 */
import { CATALOG_PRODUCTS, readCatalogEntry } from '../../../shared/sync/layouts/catalog.ts';
import type { ViolationReport } from '../../../shared/sync/protocol.ts';
import type { Room } from './room.ts';

export interface RoomRule {
  /** The top-level map whose keys this rule checks. */
  readonly map: string;
  check(room: Room, key: string, value: unknown): { code: string; message: string } | null;
}

const RULES: Partial<Record<Room['ref']['kind'], RoomRule>> = {
  catalog: {
    map: CATALOG_PRODUCTS,
    check: (_room, key, value) => {
      if (value === undefined) return null;
      const entry = readCatalogEntry(key, value);
      return entry.ok ? null : entry.error;
    },
  },
};

export function ruleFor(room: Room): RoomRule | null {
  return RULES[room.ref.kind] ?? null;
}

export function checkKeys(room: Room, keys: readonly string[]): ViolationReport[] {
  const rule = ruleFor(room);
  if (!rule) return [];
  const map = room.doc.getMap(rule.map);
  const reports: ViolationReport[] = [];
  for (const key of new Set(keys)) {
    const problem = rule.check(room, key, map.get(key));
    if (problem) reports.push({ room: room.name, path: `${rule.map}.${key}`, code: problem.code, message: problem.message });
  }
  return reports;
}
