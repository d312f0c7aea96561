/**
 * The Chat Completions request body Plaza accepts: an allow-list. Anything that could make a call
 * cost more than the worst case we compute (tools, images, audio, predicted outputs, a server-side
 * conversation, a priority tier, a JSON schema the provider injects into the prompt) is refused,
 * and so is any field we do not know.
 *
 * Plaza's own fields travel in the body and are stripped before the upstream call:
 * - `plaza_session_id`: the chat session the call belongs to (guards, session budget).
 * - `plaza_human_input: true`: set by the UI only from a real input event (send button, Enter);
 *   a script that never sets it is halted after the idle time.
 *
 * `reasoning_effort` is accepted beyond the issue's list: reasoning tokens are output tokens and
 * fall under the clamped `max_completion_tokens`, so it cannot raise the worst case.
 */
import { z } from 'zod';
import { err, ok, type Result } from '../result.ts';

export const REQUEST_REFUSAL_CODES = ['invalid-request', 'field-not-allowed'] as const;
export type RequestRefusalCode = (typeof REQUEST_REFUSAL_CODES)[number];

export interface RequestProblem {
  readonly code: RequestRefusalCode;
  readonly message: string;
  /** The offending field, as a path (`tools`, `messages[2].content[0].type`). */
  readonly field?: string;
}

/** Fields we know and refuse, with the reason people get. */
const REFUSED_FIELDS: Readonly<Record<string, string>> = {
  tools: 'tool definitions are injected into the prompt and cannot be priced before the call',
  tool_choice: 'tools are not allowed',
  parallel_tool_calls: 'tools are not allowed',
  functions: 'function definitions are injected into the prompt and cannot be priced before the call',
  function_call: 'functions are not allowed',
  audio: 'audio output is priced differently and cannot be bounded',
  modalities: 'only text output is allowed',
  prediction: 'predicted outputs bill rejected prediction tokens beyond max_tokens',
  previous_response_id: 'a server-side conversation bills context that is not in the request',
  conversation: 'a server-side conversation bills context that is not in the request',
  web_search_options: 'web search has per-call fees that cannot be bounded',
  response_format: 'a response format injects a schema into the prompt that cannot be counted',
  store: 'stored completions keep conversations at the provider',
};

const textPartSchema = z.strictObject({ type: z.literal('text'), text: z.string() });

export const chatMessageSchema = z.strictObject({
  role: z.enum(['system', 'developer', 'user', 'assistant'], { error: 'role must be system, developer, user or assistant' }),
  content: z.union([z.string(), z.array(textPartSchema).min(1, { error: 'content parts cannot be empty' })], {
    error: 'content must be a string or an array of text parts',
  }),
  name: z.string().min(1).max(64).optional(),
});

const tokens = (field: string) =>
  z
    .int({ error: `${field} must be a whole number of tokens` })
    .min(1, { error: `${field} must be at least 1` })
    .max(10_000_000, { error: `${field} is too large` })
    .nullish();

const range = (field: string, min: number, max: number) =>
  z
    .number({ error: `${field} must be a number` })
    .min(min, { error: `${field} must be between ${min} and ${max}` })
    .max(max, { error: `${field} must be between ${min} and ${max}` })
    .nullish();

export const chatRequestSchema = z.strictObject({
  model: z.string({ error: 'model is required' }).min(1, { error: 'model is required' }).max(100),
  messages: z.array(chatMessageSchema, { error: 'messages must be an array' }).min(1, { error: 'messages cannot be empty' }).max(10_000),
  max_tokens: tokens('max_tokens'),
  max_completion_tokens: tokens('max_completion_tokens'),
  temperature: range('temperature', 0, 2),
  top_p: range('top_p', 0, 1),
  stop: z.union([z.string(), z.array(z.string()).max(4)], { error: 'stop must be a string or an array of at most 4 strings' }).nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.strictObject({ include_usage: z.boolean().optional(), include_obfuscation: z.boolean().optional() }).nullish(),
  n: z.int({ error: 'n must be a whole number' }).min(1, { error: 'n must be at least 1' }).max(128).nullish(),
  presence_penalty: range('presence_penalty', -2, 2),
  frequency_penalty: range('frequency_penalty', -2, 2),
  seed: z.int().nullish(),
  user: z.string().max(256).optional(),
  service_tier: z.literal('default', { error: 'service_tier must be "default": other tiers are priced differently' }).nullish(),
  reasoning_effort: z.enum(['none', 'minimal', 'low', 'medium', 'high']).nullish(),
  plaza_session_id: z.string().min(1).max(128).optional(),
  plaza_human_input: z.boolean().optional(),
});

export type ChatMessage = z.infer<typeof chatMessageSchema>;
export type ChatRequest = z.infer<typeof chatRequestSchema>;

/** Every top-level field that may pass, for documentation and for the proxy's own checks. */
export const ALLOWED_REQUEST_FIELDS: readonly string[] = Object.keys(chatRequestSchema.shape);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function refused(field: string, reason: string): { ok: false; error: RequestProblem } {
  return err({ code: 'field-not-allowed', field, message: `The field "${field}" is not allowed: ${reason}.` });
}

/** Looks for content that parses as JSON but cannot be priced, to name it precisely. */
function findUnpriceableMessage(messages: unknown): { ok: false; error: RequestProblem } | undefined {
  if (!Array.isArray(messages)) return undefined;
  for (const [index, message] of messages.entries()) {
    if (!isRecord(message)) continue;
    const at = `messages[${index}]`;
    if (message.role === 'tool' || message.role === 'function') return refused(`${at}.role`, 'tool results belong to tool calls, which are not allowed');
    for (const key of ['tool_calls', 'function_call', 'audio', 'refusal']) {
      if (key in message) return refused(`${at}.${key}`, 'only text messages are allowed');
    }
    if (!Array.isArray(message.content)) continue;
    for (const [partIndex, part] of message.content.entries()) {
      if (isRecord(part) && part.type !== 'text') {
        return refused(`${at}.content[${partIndex}].type`, `"${String(part.type)}" parts cannot be priced; only text parts are allowed`);
      }
    }
  }
  return undefined;
}

/** Decodes an untrusted request body. Unknown and unpriceable fields are refused by name. */
export function parseChatRequest(body: unknown): Result<ChatRequest, RequestProblem> {
  if (!isRecord(body)) return err({ code: 'invalid-request', message: 'The request body must be a JSON object.' });
  for (const key of Object.keys(body)) {
    const reason = REFUSED_FIELDS[key];
    if (reason !== undefined && Object.hasOwn(REFUSED_FIELDS, key)) return refused(key, reason);
    if (!Object.hasOwn(chatRequestSchema.shape, key)) return refused(key, 'it is not on the allow-list of priceable fields');
  }
  const unpriceable = findUnpriceableMessage(body.messages);
  if (unpriceable) return unpriceable;
  const parsed = chatRequestSchema.safeParse(body);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const field = first ? first.path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('').replace(/^\./, '') : undefined;
    return err({ code: 'invalid-request', message: `The request is invalid: ${z.prettifyError(parsed.error)}`, ...(field ? { field } : {}) });
  }
  return ok(parsed.data);
}

/** The text of one message's content, parts joined as the provider reads them. */
export function messageText(message: ChatMessage): string {
  return typeof message.content === 'string' ? message.content : message.content.map((part) => part.text).join('');
}

/** `max_completion_tokens` or `max_tokens` (the smaller if both), or undefined when neither is set. */
export function requestedMaxTokens(request: ChatRequest): number | undefined {
  const values = [request.max_completion_tokens, request.max_tokens].filter((value): value is number => typeof value === 'number');
  return values.length === 0 ? undefined : Math.min(...values);
}
