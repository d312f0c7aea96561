import { describe, expect, it } from 'vitest';
import type { ChatMessage } from './request.ts';
import { cachedPromptTokenCounter, countPromptTokens, countTextTokens } from './tokens.ts';

const long = (seed: string, words: number) => Array.from({ length: words }, (_, index) => `${seed}${index % 7} knight`).join(' ');

describe('cachedPromptTokenCounter', () => {
  const chats: Array<[string, ChatMessage[]]> = [
    ['a chat with long messages', [{ role: 'system', content: long('rule', 80) }, { role: 'user', content: long('move', 120) }, { role: 'assistant', content: long('reply', 60) }]],
    ['short messages, counted every time', [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello!' }]],
    ['text parts and a name', [{ role: 'user', name: 'ada', content: [{ type: 'text', text: long('part', 40) }, { type: 'text', text: ' and more' }] }]],
    ['special-token look-alikes stay text', [{ role: 'user', content: `${long('x', 30)} <|endoftext|> <|im_start|>` }]],
    ['non-Latin text', [{ role: 'user', content: 'Ходы коня и слона, 象棋と将棋の違い, 🐴♞ '.repeat(20) }]],
  ];

  it.each(chats)('counts exactly what countPromptTokens counts, cold and warm: %s', (_name, messages) => {
    const count = cachedPromptTokenCounter({ minChars: 16, maxChars: 1_000_000 });
    const expected = countPromptTokens(messages);
    expect(count(messages)).toBe(expected);
    expect(count(messages)).toBe(expected);
    expect(count(messages.map((message) => ({ ...message })))).toBe(expected);
  });

  it('a resent history plus a new message counts as the whole chat', () => {
    const count = cachedPromptTokenCounter({ minChars: 16, maxChars: 1_000_000 });
    const history: ChatMessage[] = [{ role: 'system', content: long('rule', 50) }, { role: 'user', content: long('ask', 50) }];
    count(history);
    const next: ChatMessage[] = [...history, { role: 'assistant', content: long('answer', 70) }, { role: 'user', content: long('again', 30) }];
    expect(count(next)).toBe(countPromptTokens(next));
  });

  it('stays exact while it forgets texts beyond its character bound', () => {
    // Room for about two of these texts: every third one evicts the least recently used.
    const texts = Array.from({ length: 12 }, (_, index) => long(`t${index}-`, 40));
    const count = cachedPromptTokenCounter({ minChars: 16, maxChars: texts[0]!.length * 2 + 10 });
    for (let round = 0; round < 3; round += 1) {
      for (const text of texts) expect(count([{ role: 'user', content: text }])).toBe(countPromptTokens([{ role: 'user', content: text }]));
    }
  });

  it('a text longer than the whole cache is counted without being kept', () => {
    const text = long('huge', 400);
    const count = cachedPromptTokenCounter({ minChars: 16, maxChars: 100 });
    expect(count([{ role: 'user', content: text }])).toBe(countPromptTokens([{ role: 'user', content: text }]));
    expect(count([{ role: 'user', content: 'tiny' }])).toBe(3 + countTextTokens('user') + countTextTokens('tiny') + 3);
  });
});
