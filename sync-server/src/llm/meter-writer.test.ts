import { afterEach, describe, expect, it, vi } from 'vitest';
import { sameJson } from './meter-writer.ts';
import { member, startLlmTest, type LlmTest } from './test-support/llm-harness.ts';

describe('sameJson: is the inbox already holding this value?', () => {
  it.each([
    ['equal records, keys in another order', { a: 1, b: [1, { c: 'x' }], d: null }, { d: null, b: [1, { c: 'x' }], a: 1 }, true],
    ['undefined fields are absent in JSON', { a: 1, b: undefined }, { a: 1 }, true],
    ['a changed number deep inside', { rows: [{ spent: 10 }] }, { rows: [{ spent: 11 }] }, false],
    ['a missing key', { a: 1, b: 2 }, { a: 1 }, false],
    ['null is not an empty object', null, {}, false],
    ['an array is not an object with index keys', [1, 2], { 0: 1, 1: 2 }, false],
    ['arrays of different lengths', [1, 2], [1, 2, 3], false],
    ['a string is not a number', '1', 1, false],
    ['nothing stored yet', undefined, { a: 1 }, false],
  ])('%s', (_name, a, b, same) => {
    expect(sameJson(a, b)).toBe(same);
    expect(sameJson(b, a)).toBe(same);
  });
});

describe('MeterWriter scheduling', () => {
  let test: LlmTest | null = null;
  afterEach(async () => {
    await test?.close();
    test = null;
  });

  it('writes after the current turn, so pending I/O goes first, and requests of one turn make one write', async () => {
    test = await startLlmTest();
    const { server } = test;
    const user = await member(server);
    await server.llm.meters.idle();
    const task = vi.spyOn(server.runner, 'task');
    server.llm.meters.schedule('acme', user.id);
    server.llm.meters.schedule('acme', user.id);
    server.llm.meters.schedule('acme', user.id);
    // Nothing is read or written in the turn that asked.
    expect(task).not.toHaveBeenCalled();
    await server.llm.meters.idle();
    expect(task).toHaveBeenCalledTimes(1);
    task.mockRestore();
  });
});
