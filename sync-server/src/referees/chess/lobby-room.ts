/**
 * Reading and writing the lobby room (`t/{tenant}/lobby`) inside a chess decision, plus a mirror
 * of each tenant's open seeks that `roomsFor` uses to guess, before deciding, whether a seek will
 * be paired (and so needs its game room loaded). The mirror is refreshed from the room on every
 * decision that reads the lobby, so a wrong guess heals itself.
 */
import { LOBBY_GAMES, LOBBY_SEEKS, readSeek, type LiveGameEntry, type SeekRecord } from '../../../../shared/sync/layouts/chess.ts';
import { roomNames } from '../../../../shared/sync/rooms.ts';
import { deadlineIds } from './ids.ts';
import type { ChessTx } from './tx.ts';

export class LobbyMirror {
  private readonly seeks = new Map<string, readonly SeekRecord[]>();
  /** Parsed seeks by the stored value (Yjs hands back the same object until it is replaced). */
  private readonly parsed = new WeakMap<object, SeekRecord>();

  /** Open seeks as last seen, or null when this tenant's lobby was not read since start. */
  seeksOf(tenant: string): readonly SeekRecord[] | null {
    return this.seeks.get(tenant) ?? null;
  }

  /** The tenant's open seeks, read from the room (invalid entries are skipped). */
  read(tx: ChessTx): SeekRecord[] {
    const list: SeekRecord[] = [];
    for (const [key, value] of tx.ctx.doc(roomNames.lobby(tx.tenant)).getMap(LOBBY_SEEKS).entries()) {
      const known = typeof value === 'object' && value !== null ? this.parsed.get(value) : undefined;
      if (known !== undefined && known.id === key) {
        list.push(known);
        continue;
      }
      const seek = readSeek(key, value);
      if (!seek.ok) continue;
      list.push(seek.value);
      if (typeof value === 'object' && value !== null) this.parsed.set(value, seek.value);
    }
    list.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
    this.seeks.set(tx.tenant, list);
    return list;
  }

  put(tx: ChessTx, seek: SeekRecord): void {
    tx.ctx.write(roomNames.lobby(tx.tenant), (doc) => doc.getMap(LOBBY_SEEKS).set(seek.id, seek));
    this.seeks.set(tx.tenant, [...(this.seeks.get(tx.tenant) ?? []).filter((other) => other.id !== seek.id), seek]);
  }

  /** Removes seeks (and their presence checks). */
  remove(tx: ChessTx, ids: readonly string[]): void {
    if (ids.length === 0) return;
    tx.ctx.write(roomNames.lobby(tx.tenant), (doc) => {
      const map = doc.getMap(LOBBY_SEEKS);
      for (const id of ids) map.delete(id);
    });
    for (const id of ids) tx.clearDeadline(deadlineIds.seek(tx.tenant, id));
    const gone = new Set(ids);
    this.seeks.set(tx.tenant, (this.seeks.get(tx.tenant) ?? []).filter((seek) => !gone.has(seek.id)));
  }

  /** Removes every seek of these users (they started a game or left the lobby). */
  removeSeeksOf(tx: ChessTx, users: readonly string[]): void {
    const leaving = new Set(users);
    this.remove(
      tx,
      this.read(tx)
        .filter((seek) => leaving.has(seek.creator.userId))
        .map((seek) => seek.id),
    );
  }
}

export function putLiveGame(tx: ChessTx, entry: LiveGameEntry): void {
  tx.ctx.write(roomNames.lobby(tx.tenant), (doc) => doc.getMap(LOBBY_GAMES).set(entry.id, entry));
}

export function removeLiveGame(tx: ChessTx, gameId: string): void {
  const room = roomNames.lobby(tx.tenant);
  if (!tx.ctx.doc(room).getMap(LOBBY_GAMES).has(gameId)) return;
  tx.ctx.write(room, (doc) => doc.getMap(LOBBY_GAMES).delete(gameId));
}
