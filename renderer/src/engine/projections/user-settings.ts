import { z } from 'zod';
import { USER_SETTINGS, userSettingsSchema } from '../../../../shared/sync/layouts/user.ts';
import type { Projection } from '../projection.ts';

export const SETTINGS_KV_ID = 'settings';

/** The user's own settings (synced across their devices) → one `kv` document. */
export const userSettingsProjection: Projection = {
  name: 'user-settings',
  collection: 'kv',
  maps: [USER_SETTINGS],
  incremental: false,
  project(doc, _room, roomName) {
    const raw = doc.getMap(USER_SETTINGS).toJSON();
    const parsed = userSettingsSchema.safeParse(raw);
    const hidden = parsed.success ? [] : [{ room: roomName, key: USER_SETTINGS, code: 'invalid-settings', message: z.prettifyError(parsed.error) }];
    return { upsert: [{ id: SETTINGS_KV_ID, updatedAt: Date.now(), data: parsed.success ? parsed.data : {} }], remove: [], hidden };
  },
};
