/**
 * The OpenAI Chat Completions wire format, as the real API writes it: completions, stream chunks,
 * usage and errors. Token counts use the same o200k counting and chat framing as the budget policy
 * (`shared/domain/llm/tokens.ts`), so a test can predict `prompt_tokens` exactly.
 */
import { decodeGenerator, encode } from 'gpt-tokenizer/encoding/o200k_base';
import type { ChatMessage } from '../../../../shared/domain/llm/request.ts';
import { countPromptTokens } from '../../../../shared/domain/llm/tokens.ts';

export type FinishReason = 'stop' | 'length';

export interface WireUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number; audio_tokens: number };
  completion_tokens_details: { reasoning_tokens: number; audio_tokens: number; accepted_prediction_tokens: number; rejected_prediction_tokens: number };
}

export interface WireError {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export function wireError(message: string, type: string, code: string | null = null, param: string | null = null): WireError {
  return { error: { message, type, param, code } };
}

/** The text of a message's content, text parts joined; anything else as JSON (it is a fake). */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((part: unknown) => (typeof part === 'object' && part !== null && 'text' in part && typeof part.text === 'string' ? part.text : JSON.stringify(part))).join('');
  }
  return content == null ? '' : JSON.stringify(content);
}

/** Messages of an untrusted body, normalised so the policy's counter can frame them. */
export function normaliseMessages(messages: unknown): ChatMessage[] {
  if (!Array.isArray(messages)) return [];
  return messages.map((message: unknown) => {
    const record = (typeof message === 'object' && message !== null ? message : {}) as Record<string, unknown>;
    const name = typeof record.name === 'string' ? { name: record.name } : {};
    // The role is only counted as text; a fake accepts roles the policy would refuse.
    return { role: String(record.role ?? 'user') as ChatMessage['role'], content: contentText(record.content), ...name };
  });
}

/** Prompt tokens exactly as the policy counts them. */
export function promptTokensOf(messages: unknown): number {
  return countPromptTokens(normaliseMessages(messages));
}

/** The last user message's text, for the default answer. */
export function lastUserText(messages: unknown): string {
  const all = normaliseMessages(messages);
  for (let index = all.length - 1; index >= 0; index -= 1) {
    const message = all[index];
    if (message?.role === 'user') return typeof message.content === 'string' ? message.content : '';
  }
  return '';
}

export interface Answer {
  /** The pieces streamed one chunk each; joined they are the content. */
  readonly pieces: readonly string[];
  readonly content: string;
  readonly tokens: number;
  readonly finishReason: FinishReason;
}

/** Cuts `text` to at most `limit` tokens (when given) and splits it into streamable pieces. */
export function answerOf(text: string, limit: number | undefined, tokensPerChunk: number): Answer {
  const all = encode(text, { disallowedSpecial: new Set() });
  const kept = limit === undefined ? all : all.slice(0, limit);
  const pieces: string[] = [];
  for (let start = 0; start < kept.length; start += tokensPerChunk) {
    const piece = [...decodeGenerator(kept.slice(start, start + tokensPerChunk))].join('');
    if (piece.length > 0) pieces.push(piece);
  }
  return { pieces, content: pieces.join(''), tokens: kept.length, finishReason: kept.length < all.length ? 'length' : 'stop' };
}

export function wireUsage(prompt: number, completion: number, cached: number, reasoning: number): WireUsage {
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cached, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: reasoning, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

export interface CompletionMeta {
  readonly id: string;
  readonly created: number;
  readonly model: string;
}

export function completionBody(meta: CompletionMeta, answers: readonly Answer[], usage: WireUsage | undefined): Record<string, unknown> {
  return {
    id: meta.id,
    object: 'chat.completion',
    created: meta.created,
    model: meta.model,
    choices: answers.map((answer, index) => ({
      index,
      message: { role: 'assistant', content: answer.content, refusal: null, annotations: [] },
      logprobs: null,
      finish_reason: answer.finishReason,
    })),
    ...(usage ? { usage } : {}),
    service_tier: 'default',
    system_fingerprint: 'fp_fake',
  };
}

/** One `chat.completion.chunk`; with `includeUsage` every chunk carries `usage: null`. */
export function chunkBody(meta: CompletionMeta, choices: readonly Record<string, unknown>[], includeUsage: boolean, usage?: WireUsage): Record<string, unknown> {
  return {
    id: meta.id,
    object: 'chat.completion.chunk',
    created: meta.created,
    model: meta.model,
    service_tier: 'default',
    system_fingerprint: 'fp_fake',
    choices,
    ...(includeUsage ? { usage: usage ?? null } : {}),
  };
}

export function deltaChoice(index: number, delta: Record<string, unknown>, finishReason: FinishReason | null = null): Record<string, unknown> {
  return { index, delta, logprobs: null, finish_reason: finishReason };
}

/** One server-sent event frame. */
export function sse(data: unknown): string {
  return `data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
}
