/**
 * The benchmark's HTTP client on its own thread (`bench:llm`): it times a streaming call from the
 * request to the first content byte and reports the milliseconds back.
 *
 * A client on the server's own event loop cannot read its socket until the server's turn is over,
 * so work the proxy does after it has written the first token (the rest of the stream, the
 * settlement commit, the inbox meter) was charged to time to first token. A real client is another
 * process; this thread is the nearest thing in one process (its CPU still counts in
 * `process.cpuUsage()`).
 */
import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';

export interface TtftRequest {
  readonly url: string;
  readonly token: string;
  readonly body: unknown;
}

export type TtftReply = { readonly ok: true; readonly ms: number } | { readonly ok: false; readonly error: string };

/** Time to the first content byte of an SSE answer (the stream is read to its end). */
export async function ttft({ url, token, body }: TtftRequest): Promise<number> {
  const started = performance.now();
  const response = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (response.status !== 200) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let seen = '';
  let first = Number.NaN;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    seen += decoder.decode(value, { stream: true });
    if (Number.isNaN(first) && seen.includes('"content":"T')) first = performance.now() - started;
  }
  if (Number.isNaN(first)) throw new Error('no content chunk');
  return first;
}

parentPort?.on('message', (request: TtftRequest) => {
  ttft(request).then(
    (ms) => parentPort?.postMessage({ ok: true, ms } satisfies TtftReply),
    (error: unknown) => parentPort?.postMessage({ ok: false, error: String(error) } satisfies TtftReply),
  );
});
