/**
 * The browser's cap checker: the check runs in a worker (cap-worker.ts), started when the chat
 * opens so that the tokenizer is ready by the first message. If workers cannot start (an old
 * host, a policy), the check runs in this thread instead: the cap never goes missing.
 */
import type { SessionGuardState } from '../../../../shared/domain/llm/guards.ts';
import type { Refusal } from '../../../../shared/domain/llm/refusal.ts';
import type { Result } from '../../../../shared/domain/result.ts';
import { inThreadChecker, type CapChecker } from './client-cap.ts';

type Reply = { readonly id: number; readonly result: Result<{ readonly sessionAfter: SessionGuardState }, Refusal> } | { readonly id: number; readonly failure: string };

let worker: Worker | null = null;
let broken = false;
let nextId = 1;
const waiting = new Map<number, { resolve: (reply: Reply) => void }>();

function start(): Worker | null {
  if (worker || broken) return worker;
  try {
    worker = new Worker(new URL('./cap-worker.ts', import.meta.url), { type: 'module', name: 'plaza-cap' });
  } catch {
    broken = true;
    return null;
  }
  worker.onmessage = (event: MessageEvent<Reply | 'ready'>) => {
    if (event.data === 'ready') return;
    const pending = waiting.get(event.data.id);
    waiting.delete(event.data.id);
    pending?.resolve(event.data);
  };
  worker.onerror = () => {
    // The worker could not load: answer what waits in this thread from now on.
    broken = true;
    worker?.terminate();
    worker = null;
    for (const [id, pending] of waiting) pending.resolve({ id, failure: 'worker failed' });
    waiting.clear();
  };
  return worker;
}

/** Starts the worker (and its tokenizer) ahead of the first message. */
export function preloadCapChecker(): void {
  start()?.postMessage('ready?');
}

export const workerCapChecker: CapChecker = async (body, context) => {
  const target = start();
  if (!target) return inThreadChecker(body, context);
  const id = nextId++;
  const reply = await new Promise<Reply>((resolve) => {
    waiting.set(id, { resolve });
    try {
      target.postMessage({ id, body, context });
    } catch (error) {
      // Not plain data (a bug upstream): check here rather than not at all.
      waiting.delete(id);
      resolve({ id, failure: String(error) });
    }
  });
  if ('result' in reply) return reply.result;
  return inThreadChecker(body, context);
};
