/** Desktop settings (which sync server to use), stored as JSON in the app's data folder. */
import { readFile, writeFile, mkdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { serverUrlSchema } from '../../shared/platform/bridge-schemas.ts';
import { normalizeOrigin } from '../../shared/platform/csp.ts';

export const DEFAULT_SERVER_URL = 'http://127.0.0.1:8787';

const settingsSchema = z.strictObject({ version: z.literal(1), serverUrl: serverUrlSchema });
export type DesktopSettings = z.infer<typeof settingsSchema>;

export interface SettingsLoadResult {
  readonly settings: DesktopSettings;
  /** Set when the file existed but could not be used; the app starts on defaults and says so. */
  readonly problem?: string;
}

export async function loadSettings(file: string, environmentServerUrl: string | undefined): Promise<SettingsLoadResult> {
  const fallbackUrl = environmentServerUrl && serverUrlSchema.safeParse(environmentServerUrl).success
    ? normalizeOrigin(environmentServerUrl)
    : DEFAULT_SERVER_URL;
  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch {
    return { settings: { version: 1, serverUrl: fallbackUrl } };
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { settings: { version: 1, serverUrl: fallbackUrl }, problem: `${path.basename(file)} is not valid JSON; using defaults` };
  }
  const parsed = settingsSchema.safeParse(json);
  if (!parsed.success) {
    return { settings: { version: 1, serverUrl: fallbackUrl }, problem: `${path.basename(file)}: ${parsed.error.issues[0]?.message ?? 'invalid'}; using defaults` };
  }
  // An explicit environment override (e.g. `npm start` pointing at its own server) wins.
  if (environmentServerUrl && fallbackUrl !== DEFAULT_SERVER_URL) return { settings: { version: 1, serverUrl: fallbackUrl } };
  return { settings: { version: 1, serverUrl: normalizeOrigin(parsed.data.serverUrl) } };
}

export async function saveSettings(file: string, settings: DesktopSettings): Promise<void> {
  const checked = settingsSchema.parse(settings);
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.tmp`;
  await writeFile(temporary, JSON.stringify(checked, null, 2));
  await rename(temporary, file);
}
