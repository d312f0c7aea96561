/** Validation of the bridge's arguments, run in the main process on every IPC call. */
import { z } from 'zod';

/** Secret names are chosen by the renderer, so they are kept to a safe file-name alphabet. */
export const secretNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._:-]{0,199}$/, 'secret names use a-z, 0-9 and . _ : - (1–200 characters)');

export const secretValueSchema = z.string().max(64 * 1024, 'a secret is at most 64 KiB');

export const serverUrlSchema = z
  .string()
  .max(2048)
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'http:' || url.protocol === 'https:') && !url.username && !url.password;
    } catch {
      return false;
    }
  }, 'server URL must be an http(s) URL without credentials');

export const externalUrlSchema = z
  .string()
  .max(2048)
  .refine((value) => {
    try {
      return new URL(value).protocol === 'https:';
    } catch {
      return false;
    }
  }, 'only https links open outside the app');

