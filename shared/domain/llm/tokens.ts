/**
 * Prompt token counting with o200k_base (GPT-4o, GPT-4.1, GPT-5 and the o-series all use it) and
 * OpenAI's chat framing: per message 3 tokens + role + content (+ name + 1), plus 3 tokens that
 * prime the answer. This is gpt-tokenizer's `computeChatCompletionTokenCount`, which gives the same
 * count as its `encodeChat` for GPT-4o (checked in tokens.test.ts).
 *
 * The count is a local estimate; the provider's `usage` is the only authority. Reservations add a
 * margin on top (`reservedPromptTokens`) because the tokenizer can undercount.
 */
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { computeChatCompletionTokenCount } from 'gpt-tokenizer/functionCalling';
import { messageText, type ChatMessage } from './request.ts';

/** Special-token text in user content (`<|endoftext|>`) is ordinary text to the API, never a throw. */
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

/** Tokens of a piece of text, special-token look-alikes counted as text. */
export function countTextTokens(text: string): number {
  return countTokens(text, PLAIN_TEXT);
}

/** Prompt tokens of a chat, framing included, as the provider should report `prompt_tokens`. */
export function countPromptTokens(messages: readonly ChatMessage[]): number {
  const framed = messages.map((message) => ({
    role: message.role,
    content: messageText(message),
    ...(message.name === undefined ? {} : { name: message.name }),
  }));
  return computeChatCompletionTokenCount({ messages: framed }, countTextTokens);
}

export interface PromptMargin {
  /** Whole percent added to the counted prompt (10 → ×1.1). */
  readonly percent: number;
  /** Constant tokens added on top. */
  readonly tokens: number;
}

/** The prompt size a reservation pays for: counted + ⌈counted·percent/100⌉ + tokens. */
export function reservedPromptTokens(counted: number, margin: PromptMargin): number {
  if (!Number.isSafeInteger(counted) || counted < 0) throw new RangeError(`a token count must be a non-negative integer, got ${counted}`);
  return counted + Math.ceil((counted * margin.percent) / 100) + margin.tokens;
}
