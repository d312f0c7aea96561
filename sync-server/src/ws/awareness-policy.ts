/**
 * Awareness is a channel like any other: a connection may only set states for client ids it
 * owns in the room (the first to claim an id owns it), each state is a small JSON object, and
 * the server stamps the verified user on it so nobody can appear as someone else.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

export interface AwarenessEntry {
  readonly clientId: number;
  readonly clock: number;
  readonly state: Record<string, unknown> | null;
}

export const MAX_AWARENESS_STATE_BYTES = 4096;
export const MAX_AWARENESS_ENTRIES = 16;

/** Decodes an awareness update; throws on malformed bytes. */
export function decodeAwarenessUpdate(update: Uint8Array): AwarenessEntry[] {
  const decoder = decoding.createDecoder(update);
  const count = decoding.readVarUint(decoder);
  if (count > MAX_AWARENESS_ENTRIES) throw new Error('too many awareness entries');
  const entries: AwarenessEntry[] = [];
  for (let index = 0; index < count; index += 1) {
    const clientId = decoding.readVarUint(decoder);
    const clock = decoding.readVarUint(decoder);
    const json = decoding.readVarString(decoder);
    if (json.length > MAX_AWARENESS_STATE_BYTES) throw new Error('awareness state too large');
    const state = JSON.parse(json) as unknown;
    if (state !== null && (typeof state !== 'object' || Array.isArray(state))) throw new Error('awareness state must be an object or null');
    entries.push({ clientId, clock, state: state as Record<string, unknown> | null });
  }
  if (decoding.hasContent(decoder)) throw new Error('trailing bytes after awareness update');
  return entries;
}

export function encodeAwarenessEntries(entries: readonly AwarenessEntry[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, entries.length);
  for (const entry of entries) {
    encoding.writeVarUint(encoder, entry.clientId);
    encoding.writeVarUint(encoder, entry.clock);
    encoding.writeVarString(encoder, JSON.stringify(entry.state));
  }
  return encoding.toUint8Array(encoder);
}

export interface StampedUser {
  readonly id: string;
  readonly name: string;
}

/**
 * Keeps the entries this connection may set and stamps them. `owners` maps client ids to the
 * connection that first claimed them in this room; unclaimed ids are claimed here.
 */
export function filterAndStamp(entries: readonly AwarenessEntry[], connectionId: string, owners: Map<number, string>, user: StampedUser): AwarenessEntry[] {
  const kept: AwarenessEntry[] = [];
  for (const entry of entries) {
    const owner = owners.get(entry.clientId);
    if (owner !== undefined && owner !== connectionId) continue;
    if (owner === undefined) owners.set(entry.clientId, connectionId);
    kept.push({ ...entry, state: entry.state === null ? null : { ...entry.state, user: { id: user.id, name: user.name } } });
  }
  return kept;
}
