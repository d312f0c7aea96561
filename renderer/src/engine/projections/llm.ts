/**
 * The AI spend meter the server writes into the user's inbox (layout: shared/sync/layouts/llm.ts)
 * → one `kv` record: the budgets of today, this month and the team, the recent chat sessions with
 * their guard state, and the latest budget alerts. Entries that do not parse are hidden and reported.
 */
import { INBOX_LLM, readLlmInbox, type LlmInboxView } from '../../../../shared/sync/layouts/llm.ts';
import type { Projection } from '../projection.ts';

export const LLM_INBOX_KV_ID = 'llm-inbox';

/** What the `kv` record holds (`problems` stay out: they are reported as hidden records). */
export type LlmInboxRecord = Omit<LlmInboxView, 'problems'>;

export const llmInboxProjection: Projection = {
  name: 'llm-inbox',
  collection: 'kv',
  maps: [INBOX_LLM],
  incremental: false,
  project(doc, _room, roomName) {
    const view = readLlmInbox(doc.getMap<unknown>(INBOX_LLM).entries());
    const data: LlmInboxRecord = { meter: view.meter, sessions: view.sessions, alerts: view.alerts };
    return {
      upsert: [{ id: LLM_INBOX_KV_ID, updatedAt: view.meter?.updatedAt ?? 0, data: { ...data } }],
      remove: [],
      hidden: view.problems.map((problem) => ({ room: roomName, key: `${INBOX_LLM}/${problem.split(':')[0] ?? ''}`, code: 'invalid-llm-record', message: problem })),
    };
  },
};
