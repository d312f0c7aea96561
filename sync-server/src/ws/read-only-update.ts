/**
 * Whether an update from a peer that may only read would change a room's doc. Yjs answers the
 * server's sync step 1 with what the server lacks plus the sender's *whole* delete set, so a
 * read-only peer that only ever received the room's content (a spectator, the lobby, a stock
 * y-websocket client) sends a non-empty update on every reconnect once any field was overwritten.
 * Taking that for a write would count and report a violation that never happened (and make a
 * Plaza client rebuild its doc), so only content the doc lacks counts: a struct past the doc's
 * state, or a deletion of something the doc has not deleted.
 */
import * as Y from 'yjs';

type DeleteRange = { readonly clock: number; readonly len: number };

export function changesDoc(doc: Y.Doc, update: Uint8Array): boolean {
  const { structs, ds } = Y.decodeUpdate(update);
  for (const struct of structs) {
    // A skip is a gap in what the sender holds, not content.
    if (struct instanceof Y.Skip) continue;
    if (struct.id.clock + struct.length > Y.getState(doc.store, struct.id.client)) return true;
  }
  if (ds.clients.size === 0) return false;
  // Walks the doc's structs once: paid only when a read-only peer sends deletions, i.e. on its
  // reconnects (and by a peer trying to write, whom the message rate limit bounds).
  const deleted = Y.createDeleteSetFromStructStore(doc.store);
  for (const [client, ranges] of ds.clients) {
    const have = deleted.clients.get(client) ?? [];
    for (const range of ranges) if (!covered(have, range)) return true;
  }
  return false;
}

/** `have` is sorted by clock and merged (as `createDeleteSetFromStructStore` builds it), so one range must hold all of `range`. */
function covered(have: readonly DeleteRange[], range: DeleteRange): boolean {
  if (range.len <= 0) return true;
  let low = 0;
  let high = have.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const candidate = have[middle]!;
    if (candidate.clock + candidate.len <= range.clock) low = middle + 1;
    else if (candidate.clock > range.clock) high = middle - 1;
    else return candidate.clock + candidate.len >= range.clock + range.len;
  }
  return false;
}
