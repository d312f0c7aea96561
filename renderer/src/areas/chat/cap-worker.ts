/**
 * The client-side cap in a worker: token counting loads and runs off the page's thread. One
 * message in (`{ id, body, context }`), one out (`{ id, result }`); the inputs are plain data.
 */
import { checkCall } from './cap-check.ts';
import type { CapContext } from './client-cap.ts';

interface CheckMessage {
  readonly id: number;
  readonly body: Record<string, unknown>;
  readonly context: CapContext;
}

const scope = globalThis as unknown as { onmessage: ((event: MessageEvent<CheckMessage | 'ready?'>) => void) | null; postMessage(message: unknown): void };

scope.onmessage = (event) => {
  if (event.data === 'ready?') {
    scope.postMessage('ready');
    return;
  }
  const { id, body, context } = event.data;
  try {
    scope.postMessage({ id, result: checkCall(body, context) });
  } catch (error) {
    scope.postMessage({ id, failure: String(error) });
  }
};
