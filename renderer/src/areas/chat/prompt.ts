/**
 * What a thread sends to the model: a short system message, the recent history that was really
 * exchanged (refused prompts and failed answers left out), then the new message. The history is
 * bounded: every turn re-sends it, so an unbounded one makes a long thread cost quadratically more.
 */
import type { ChatMessageRecord } from '../../../../shared/sync/layouts/chat.ts';
import type { PromptMessage } from './assistant.ts';

export const SYSTEM_PROMPT = 'You are the AI assistant of Plaza, a community app. Answer concisely in Markdown.';
export const HISTORY_MAX_MESSAGES = 40;
export const HISTORY_MAX_CHARS = 24_000;

function usable(message: ChatMessageRecord): boolean {
  if (message.role === 'user') return message.status === 'complete';
  return (message.status === 'complete' || message.status === 'stopped') && message.content.length > 0;
}

export function promptFor(history: readonly ChatMessageRecord[], text: string): PromptMessage[] {
  const kept: PromptMessage[] = [];
  let room = HISTORY_MAX_CHARS - text.length;
  for (let index = history.length - 1; index >= 0 && kept.length < HISTORY_MAX_MESSAGES; index -= 1) {
    const message = history[index]!;
    if (!usable(message)) continue;
    room -= message.content.length;
    if (room < 0) break;
    kept.unshift({ role: message.role, content: message.content });
  }
  // A history that starts with an answer reads oddly to the model: start at a question.
  while (kept[0]?.role === 'assistant') kept.shift();
  return [{ role: 'system', content: SYSTEM_PROMPT }, ...kept, { role: 'user', content: text }];
}

/** Amounts people can read at a glance: `$0.0004`, and micro-amounts not shown as `$0.00`. */
export function formatSpend(microUsd: number): string {
  if (microUsd > 0 && microUsd < 100) return `$${(microUsd / 1_000_000).toFixed(6)}`;
  const dollars = microUsd / 1_000_000;
  return new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: Math.abs(dollars) >= 1 || dollars === 0 ? 2 : 4 }).format(dollars);
}
