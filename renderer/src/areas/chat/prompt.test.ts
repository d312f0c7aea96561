import { describe, expect, it } from 'vitest';
import type { ChatMessageRecord } from '../../../../shared/sync/layouts/chat.ts';
import { formatSpend, HISTORY_MAX_CHARS, HISTORY_MAX_MESSAGES, promptFor, SYSTEM_PROMPT } from './prompt.ts';

let at = 0;
const msg = (role: 'user' | 'assistant', content: string, status: ChatMessageRecord['status'] = 'complete'): ChatMessageRecord => ({ id: `m${(at += 1)}`, role, content, at, status });

describe('the prompt of a thread', () => {
  it('sends the system message, what was really exchanged, and the new message', () => {
    const history = [msg('user', 'q1'), msg('assistant', 'a1'), msg('user', 'refused one', 'refused'), msg('user', 'q2'), msg('assistant', 'half', 'stopped'), msg('user', 'q3'), msg('assistant', 'bro', 'error'), msg('assistant', '', 'stopped')];
    expect(promptFor(history, 'q4')).toEqual([
      { role: 'system', content: SYSTEM_PROMPT },
      { role: 'user', content: 'q1' },
      { role: 'assistant', content: 'a1' },
      { role: 'user', content: 'q2' },
      { role: 'assistant', content: 'half' },
      { role: 'user', content: 'q3' },
      { role: 'user', content: 'q4' },
    ]);
  });

  it('keeps only the recent history, by count and by size, starting at a question', () => {
    const many = Array.from({ length: 100 }, (_, index) => msg(index % 2 === 0 ? 'user' : 'assistant', `m${index}`));
    const prompt = promptFor(many, 'new');
    expect(prompt.length).toBeLessThanOrEqual(HISTORY_MAX_MESSAGES + 2);
    expect(prompt[1]?.role).toBe('user');
    expect(prompt.at(-2)?.content).toBe('m99');
    const big = [msg('user', 'x'.repeat(HISTORY_MAX_CHARS)), msg('assistant', 'short'), msg('user', 'recent')];
    expect(promptFor(big, 'new').map((message) => message.content)).toEqual([SYSTEM_PROMPT, 'recent', 'new']);
  });
});

describe('formatSpend', () => {
  it.each([
    [0, '$0.00'],
    [24, '$0.000024'],
    [400, '$0.0004'],
    [12_345, '$0.0123'],
    [2_000_000, '$2.00'],
  ])('%i µ$ → %s', (amount, text) => {
    expect(formatSpend(amount)).toBe(text);
  });
});
