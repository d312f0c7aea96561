/**
 * Test helpers for the AI proxy: a real server on port 0 pointed at the fake OpenAI upstream, users
 * with tokens, chat sessions, raw and SDK clients, SSE reading, and the server's ledger.
 */
import OpenAI from 'openai';
import type { LlmLedger } from '../../../../shared/llm-ledger/ledger.ts';
import type { ServerConfigInput } from '../../config.ts';
import type { RunningServer, StartOptions } from '../../server.ts';
import { startFakeOpenAI, type FakeOpenAI, type FakeOpenAIOptions } from '../../test-support/fake-openai/fake-openai.ts';
import { addUser, startTestServer, type TestUser } from '../../test-support/harness.ts';
import type { SqliteStore } from '../../store/sqlite.ts';

/** Guards that only the budget stops: for tests about money. */
export const LENIENT_GUARDS: Partial<ServerConfigInput> = {
  llmMaxCallsPerMinute: 10_000,
  llmMaxCallsPerInput: 10_000,
  llmLoopThreshold: 1_000,
  llmMaxSessionMs: 365 * 24 * 3_600_000,
  llmMaxSessionSpendMicroUsd: 1_000_000_000,
};

export interface LlmTest {
  readonly server: RunningServer;
  readonly fake: FakeOpenAI;
  readonly ledger: LlmLedger;
  close(): Promise<void>;
}

export async function startLlmTest(options: { config?: Partial<ServerConfigInput>; fake?: FakeOpenAIOptions; start?: StartOptions } = {}): Promise<LlmTest> {
  const fake = await startFakeOpenAI(options.fake);
  const server = await startTestServer({ llmUpstreamUrl: fake.baseURL, llmApiKey: fake.apiKey, ...options.config }, options.start);
  return {
    server,
    fake,
    ledger: (server.store as SqliteStore).llmLedger,
    close: async () => {
      await server.close();
      await fake.close();
    },
  };
}

export async function member(server: RunningServer, tenant = 'acme', role: TestUser['role'] = 'member'): Promise<TestUser> {
  return addUser(server, tenant, role);
}

export async function api(server: RunningServer, token: string, method: string, route: string, body?: unknown): Promise<Response> {
  return fetch(`${server.url}${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
}

export async function newSession(server: RunningServer, user: TestUser): Promise<string> {
  const response = await api(server, user.token, 'POST', '/api/llm/sessions');
  if (response.status !== 201) throw new Error(`could not create a session: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { session: { sessionId: string } }).session.sessionId;
}

export function chatBody(sessionId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    model: 'gpt-4o-mini',
    messages: [
      { role: 'system', content: 'You are Plaza’s shopping assistant.' },
      { role: 'user', content: 'Which chess set would you recommend for a beginner?' },
    ],
    plaza_session_id: sessionId,
    plaza_human_input: true,
    ...overrides,
  };
}

export function chat(server: RunningServer, user: TestUser, body: unknown, init: RequestInit = {}): Promise<Response> {
  return fetch(`${server.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...init,
  });
}

export function sdk(server: RunningServer, user: TestUser): OpenAI {
  return new OpenAI({ apiKey: user.token, baseURL: `${server.url}/v1`, maxRetries: 0, timeout: 20_000 });
}

export interface SseRead {
  /** Parsed `data:` payloads, `[DONE]` as the string. */
  readonly events: unknown[];
  readonly text: string;
}

/** Reads a whole SSE answer. */
export async function readSse(response: Response): Promise<SseRead> {
  const text = await response.text();
  const events = text
    .split('\n\n')
    .map((frame) => frame.trim())
    .filter((frame) => frame.startsWith('data: '))
    .map((frame) => {
      const data = frame.slice(6);
      return data === '[DONE]' ? data : (JSON.parse(data) as unknown);
    });
  return { events, text };
}

/** The concatenated answer text of SSE chunk events. */
export function sseText(events: readonly unknown[]): string {
  return events
    .map((event) => {
      const choices = (event as { choices?: Array<{ delta?: { content?: string } }> }).choices;
      return choices?.[0]?.delta?.content ?? '';
    })
    .join('');
}

export async function errorOf(response: Response): Promise<{ status: number; code: string; message: string; param: string | null; details?: Record<string, unknown> }> {
  const body = (await response.json()) as { error: { code: string; message: string; param: string | null; details?: Record<string, unknown> } };
  return { status: response.status, ...body.error };
}
