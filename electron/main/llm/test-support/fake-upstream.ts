/**
 * A small OpenAI-compatible upstream for direct-mode tests (the electron tree may not import the
 * server's fake): SSE chunks of one word each, the final usage chunk, `max_completion_tokens`
 * obeyed, and scripted holds, missing usage and extra reported tokens. Prompt tokens are counted
 * with the policy's own counter so that charges can be predicted.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChatMessage } from '../../../../shared/domain/llm/request.ts';
import { countPromptTokens } from '../../../../shared/domain/llm/tokens.ts';

export interface FakeBehaviour {
  readonly holdAfterChunks?: number;
  readonly omitUsage?: boolean;
  readonly extraCompletionTokens?: number;
  readonly status?: number;
}

export interface FakeUpstream {
  readonly baseURL: string;
  readonly bodies: Array<Record<string, unknown>>;
  readonly authorizations: string[];
  script: FakeBehaviour[];
  heldCount(): number;
  release(): void;
  close(): Promise<void>;
}

const read = (request: IncomingMessage) =>
  new Promise<string>((resolve) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
  });

export async function startFakeUpstream(words = 30): Promise<FakeUpstream> {
  const held = new Set<() => void>();
  const fake: Omit<FakeUpstream, 'baseURL' | 'close'> = { bodies: [], authorizations: [], script: [], heldCount: () => held.size, release: () => [...held].forEach((done) => done()) };
  const server = createServer((request, response) => {
    void (async () => {
      const body = JSON.parse(await read(request)) as Record<string, unknown>;
      fake.bodies.push(body);
      fake.authorizations.push(String(request.headers.authorization ?? ''));
      const behaviour = fake.script.shift() ?? {};
      if (behaviour.status) {
        response.writeHead(behaviour.status, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { message: 'scripted failure', type: 'server_error', param: null, code: null } }));
        return;
      }
      const limit = typeof body.max_completion_tokens === 'number' ? body.max_completion_tokens : words;
      const count = Math.min(words, limit);
      const prompt = countPromptTokens(body.messages as ChatMessage[]);
      const usage = { prompt_tokens: prompt, completion_tokens: count + (behaviour.extraCompletionTokens ?? 0), total_tokens: prompt + count };
      const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) => `data: ${JSON.stringify({ id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 0, model: body.model, choices, usage: null, ...extra })}\n\n`;
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      let closed = false;
      response.on('close', () => (closed = true));
      for (let index = 0; index < count; index += 1) {
        if (behaviour.holdAfterChunks === index) {
          await new Promise<void>((resolve) => {
            const done = () => {
              held.delete(done);
              resolve();
            };
            held.add(done);
            response.once('close', done);
          });
        }
        if (closed) return;
        response.write(chunk([{ index: 0, delta: { content: index === 0 ? 'word' : ' word' }, finish_reason: null }]));
        await new Promise((resolve) => setImmediate(resolve));
      }
      response.write(chunk([{ index: 0, delta: {}, finish_reason: count < words ? 'length' : 'stop' }]));
      if (!behaviour.omitUsage) response.write(chunk([], { usage }));
      response.end('data: [DONE]\n\n');
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    ...fake,
    get script() {
      return fake.script;
    },
    set script(value) {
      fake.script = value;
    },
    baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    close: async () => {
      fake.release();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
