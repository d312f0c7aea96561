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


const id = (what: string, min: number, max: number) => z.string().regex(new RegExp(`^[A-Za-z0-9_-]{${min},${max}}$`), `${what} uses A-Z a-z 0-9 _ - (${min}–${max} characters)`);
export const llmRequestIdSchema = id('a request id', 8, 64);
export const llmSessionIdSchema = id('a session id', 1, 128);
const microUsd = z.int().min(0).max(1_000_000_000, 'a budget is at most $1,000 here');

/** A direct-mode chat request; the budget policy validates the body it becomes again. */
export const directChatRequestSchema = z.strictObject({
  requestId: llmRequestIdSchema,
  sessionId: llmSessionIdSchema,
  model: z.string().min(1).max(100),
  messages: z
    .array(z.strictObject({ role: z.enum(['system', 'developer', 'user', 'assistant']), content: z.string().max(1_000_000, 'a message is at most 1 MB') }))
    .min(1, 'messages cannot be empty')
    .max(10_000),
  maxTokens: z.int().min(1).max(10_000_000).optional(),
  temperature: z.number().min(0).max(2).optional(),
  humanInput: z.boolean(),
});

/** Where direct mode calls: https anywhere, plain http only on this machine (a local model server). */
export const directBaseUrlSchema = z
  .string()
  .max(2048)
  .refine((value) => {
    try {
      const url = new URL(value);
      if (url.username || url.password) return false;
      if (url.protocol === 'https:') return true;
      return url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
    } catch {
      return false;
    }
  }, 'the AI server must be an https URL, or http on localhost (Ollama, llama.cpp), without credentials');

export const directBudgetsSchema = z.strictObject({ sessionMicroUsd: microUsd, dailyMicroUsd: microUsd, monthlyMicroUsd: microUsd });

export const directConfigureSchema = z.strictObject({
  baseURL: directBaseUrlSchema.optional(),
  apiKey: z.string().min(1).max(4096, 'an API key is at most 4096 characters').nullable().optional(),
  budgets: directBudgetsSchema.optional(),
});

export const directSessionRequestSchema = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('new') }),
  z.strictObject({ action: z.literal('resume'), sessionId: llmSessionIdSchema }),
  z.strictObject({ action: z.literal('get'), sessionId: llmSessionIdSchema }),
]);
