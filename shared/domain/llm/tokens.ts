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
export function countPromptTokens(messages: readonly ChatMessage[], countText: (text: string) => number = countTextTokens): number {
  const framed = messages.map((message) => ({
    role: message.role,
    content: messageText(message),
    ...(message.name === undefined ? {} : { name: message.name }),
  }));
  return computeChatCompletionTokenCount({ messages: framed }, countText);
}

/** Counts a chat's prompt tokens, exactly as `countPromptTokens` does. */
export type PromptTokenCounter = (messages: readonly ChatMessage[]) => number;

export interface TokenCountCacheOptions {
  /** Texts shorter than this are counted every time (cheaper than remembering them). */
  readonly minChars: number;
  /** The cache forgets its least recently used texts beyond this many characters in all. */
  readonly maxChars: number;
}

/**
 * `countPromptTokens` with a memory of the texts it counted. A chat resends its whole history on
 * every call, so all but the newest messages were counted before: remembering each long message's
 * count (keyed by the text itself, so the count is exact, never an estimate) makes a call pay
 * only for what is new. Bounded by characters held, least recently used first out.
 */
export function cachedPromptTokenCounter(options: TokenCountCacheOptions): PromptTokenCounter {
  const counts = new Map<string, number>();
  let heldChars = 0;
  const countText = (text: string): number => {
    if (text.length < options.minChars || text.length > options.maxChars) return countTextTokens(text);
    const known = counts.get(text);
    if (known !== undefined) {
      // Refresh: a Map iterates in insertion order, so the first key is the least recently used.
      counts.delete(text);
      counts.set(text, known);
      return known;
    }
    const counted = countTextTokens(text);
    counts.set(text, counted);
    heldChars += text.length;
    for (const oldest of counts.keys()) {
      if (heldChars <= options.maxChars) break;
      counts.delete(oldest);
      heldChars -= oldest.length;
    }
    return counted;
  };
  return (messages) => countPromptTokens(messages, countText);
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
