/**
 * Chat writes: UI command → Y.Doc transaction in the thread room (and the user's room for the
 * index) → projection → RxDB → UI. Each command opens the rooms it touches (shared with the view
 * that already holds them), writes through the layout's validating writers, and releases them.
 */
import type * as Y from 'yjs';
import { createThread, deleteThread, putMessage, renameThread, setThreadMeta, touchThread, type ChatMessageRecord } from '../../../../shared/sync/layouts/chat.ts';
import { roomNames } from '../../../../shared/sync/rooms.ts';
import type { EngineHandle } from '../../app/runtime.ts';
import { randomId } from '../../engine/ids.ts';

export const NEW_THREAD_TITLE = 'New conversation';

export class ChatRooms {
  private readonly engine: EngineHandle;

  constructor(engine: EngineHandle) {
    this.engine = engine;
  }

  private get tenant(): string {
    return this.engine.identity.tenant.id;
  }

  private get user(): string {
    return this.engine.identity.user.id;
  }

  threadRoom(threadId: string): string {
    return roomNames.chat(this.tenant, this.user, threadId);
  }

  private get userRoom(): string {
    return roomNames.user(this.tenant, this.user);
  }

  /** Server-corrected now, so that two devices order messages alike. */
  now(): number {
    return Math.round(this.engine.client.serverNow());
  }

  /** Opens the rooms, runs `write` on their current docs (a rebuild replaces a doc), releases them. */
  private async write<T>(names: readonly string[], write: (docs: Y.Doc[]) => T): Promise<T> {
    const { client } = this.engine;
    const opened: string[] = [];
    try {
      for (const name of names) {
        await client.open(name);
        opened.push(name);
      }
      return write(names.map((name) => client.replica(name)!.doc));
    } finally {
      for (const name of opened) void client.release(name);
    }
  }

  async createThread(model: string, title = NEW_THREAD_TITLE): Promise<string> {
    const id = randomId('t');
    await this.write([this.userRoom, this.threadRoom(id)], ([user, thread]) => createThread(user!, thread!, { id, title, model, createdAt: this.now() }));
    return id;
  }

  async rename(threadId: string, title: string): Promise<void> {
    await this.write([this.userRoom, this.threadRoom(threadId)], ([user, thread]) => renameThread(user!, thread!, threadId, title, this.now()));
  }

  async remove(threadId: string): Promise<void> {
    await this.write([this.userRoom, this.threadRoom(threadId)], ([user, thread]) => deleteThread(user!, thread!, threadId));
  }

  async setMeta(threadId: string, field: 'model' | 'sessionId', value: string): Promise<void> {
    await this.write([this.threadRoom(threadId)], ([thread]) => setThreadMeta(thread!, field, value));
  }

  /** Writes a message and marks the thread as just used. */
  async put(threadId: string, message: ChatMessageRecord): Promise<void> {
    await this.write([this.userRoom, this.threadRoom(threadId)], ([user, thread]) => {
      thread!.transact(() => putMessage(thread!, message));
      touchThread(user!, threadId, message.at);
    });
  }
}
