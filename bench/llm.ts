/**
 * `npm run bench:llm`: what the AI proxy adds. With a prompt of 8 messages (~2,000 tokens):
 * time to first token through the proxy vs. straight to the fake upstream (p50, p99), the proxy's
 * own steps (auth, token counting, reservation) measured one by one, and ledger reservations per
 * second on a file-backed store. Everything runs in this process on 127.0.0.1 (fake upstream,
 * server, client), so both paths share the same event loop. Flags: --calls --reservations.
 * Goals: ≤ 1.5 ms added at p50, ≥ 5,000 reservations/s.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { microUsd } from '../shared/domain/money.ts';
import { DEFAULT_PRICES } from '../shared/domain/llm/default-prices.ts';
import { DEFAULT_GUARD_CONFIG } from '../shared/domain/llm/guards.ts';
import { DEFAULT_CALL_POLICY } from '../shared/domain/llm/plan.ts';
import { countPromptTokens } from '../shared/domain/llm/tokens.ts';
import { configSchema } from '../sync-server/src/config.ts';
import { createLogger } from '../sync-server/src/log.ts';
import { startServer } from '../sync-server/src/server.ts';
import { SqliteStore } from '../sync-server/src/store/sqlite.ts';
import { startFakeOpenAI } from '../sync-server/src/test-support/fake-openai/fake-openai.ts';
import { addUser, temporaryDir } from '../sync-server/src/test-support/harness.ts';

const { values } = parseArgs({ options: { calls: { type: 'string', default: '400' }, reservations: { type: 'string', default: '20000' } } });
const CALLS = Number(values.calls);
const RESERVATIONS = Number(values.reservations);

const WORDS = 'the knight moves in an L shape across the board while bishops slide along diagonals and rooks hold open files'.split(' ');
function prose(tokens: number, seed: number): string {
  const out: string[] = [];
  for (let index = 0; out.length < tokens * 0.95; index += 1) out.push(WORDS[(index * 7 + seed) % WORDS.length]!);
  return out.join(' ');
}
const MESSAGES = [
  { role: 'system' as const, content: prose(200, 1) },
  ...Array.from({ length: 7 }, (_, index) => ({ role: index % 2 === 0 ? ('user' as const) : ('assistant' as const), content: prose(250, index + 2) })),
];
const PROMPT_TOKENS = countPromptTokens(MESSAGES);

const quantile = (sorted: readonly number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
const ms = (value: number) => `${value.toFixed(3)} ms`;
function summary(samples: number[]): { p50: number; p99: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99) };
}

/** Time to the first content byte of an SSE answer. */
async function ttft(url: string, token: string, body: unknown): Promise<number> {
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

async function latency(): Promise<void> {
  const fake = await startFakeOpenAI({ answer: () => 'Try the Italian Game.', tokensPerChunk: 8 });
  const config = configSchema.parse({
    port: 0,
    dataDir: temporaryDir('plaza-bench-llm-'),
    webDir: '/nonexistent',
    logLevel: 'silent',
    llmUpstreamUrl: fake.baseURL,
    llmApiKey: fake.apiKey,
    llmMaxCallsPerMinute: 10_000,
    llmMaxCallsPerInput: 10_000,
    llmLoopThreshold: 1_000,
    llmSessionMicroUsd: 1_000_000_000,
    llmUserDailyMicroUsd: 1_000_000_000,
    llmTenantDailyMicroUsd: 1_000_000_000,
    llmTenantMonthlyMicroUsd: 1_000_000_000,
    llmGlobalDailyMicroUsd: 1_000_000_000,
    llmMaxSessionSpendMicroUsd: 1_000_000_000,
  });
  const server = await startServer(config, { logger: createLogger('silent') });
  try {
    const user = await addUser(server, 'bench');
    const newSession = async () => {
      const response = await fetch(`${server.url}/api/llm/sessions`, { method: 'POST', headers: { authorization: `Bearer ${user.token}` } });
      return ((await response.json()) as { session: { sessionId: string } }).session.sessionId;
    };
    const direct: number[] = [];
    const proxied: number[] = [];
    let sessionId = await newSession();
    const upstreamBody = { model: 'gpt-4o-mini', messages: MESSAGES, stream: true, stream_options: { include_usage: true }, max_completion_tokens: 256 };
    for (let index = -40; index < CALLS; index += 1) {
      if (index % 50 === 0) sessionId = await newSession();
      // Alternate, so that both paths see the same warm-up and background noise.
      const a = await ttft(`${fake.baseURL}/chat/completions`, fake.apiKey, upstreamBody);
      const b = await ttft(`${server.url}/v1/chat/completions`, user.token, { model: 'gpt-4o-mini', messages: MESSAGES, stream: true, max_tokens: 256, plaza_session_id: sessionId, plaza_human_input: true });
      // Each measurement starts on a quiet server: the inbox meter write of the last call is done.
      await server.llm.meters.idle();
      if (index >= 0) {
        direct.push(a);
        proxied.push(b);
      }
    }
    await server.llm.meters.idle();
    const d = summary(direct);
    const p = summary(proxied);
    console.log(`time to first token, ${CALLS} streaming calls each, prompt ${MESSAGES.length} messages / ${PROMPT_TOKENS} tokens`);
    console.log(`  straight to the fake upstream   p50 ${ms(d.p50)}   p99 ${ms(d.p99)}`);
    console.log(`  through the Plaza proxy         p50 ${ms(p.p50)}   p99 ${ms(p.p99)}`);
    console.log(`  added by the proxy              p50 ${ms(p.p50 - d.p50)}   p99 ${ms(p.p99 - d.p99)}   (goal ≤ 1.5 ms at p50)`);

    // The proxy's own steps, one by one, on the same server.
    const auth: number[] = [];
    const counting: number[] = [];
    for (let index = 0; index < 2_000; index += 1) {
      let started = performance.now();
      const verified = await server.tokens.verify(user.token);
      if (!verified.ok) throw new Error('token');
      await server.directory.role('bench', user.id);
      auth.push(performance.now() - started);
      started = performance.now();
      countPromptTokens(MESSAGES);
      counting.push(performance.now() - started);
    }
    const a = summary(auth);
    const c = summary(counting);
    console.log('proxy steps before the upstream call (p50 / p99):');
    console.log(`  auth (token verify + membership)  ${ms(a.p50)} / ${ms(a.p99)}`);
    console.log(`  token counting (o200k, framing)   ${ms(c.p50)} / ${ms(c.p99)}`);
  } finally {
    await server.close();
    await fake.close();
  }
}

function reservations(): void {
  const store = SqliteStore.open(temporaryDir('plaza-bench-ledger-'), 'plaza.db', { checkpointEveryMs: 1000 });
  const ledger = store.llmLedger;
  const big = microUsd(1_000_000_000_000);
  const limits = { sessionMicroUsd: big, userDailyMicroUsd: big, tenantDailyMicroUsd: big, tenantMonthlyMicroUsd: big, globalDailyMicroUsd: big };
  const now = Date.now();
  const sessions = Array.from({ length: RESERVATIONS }, (_, index) => {
    const identity = { tenantId: `t${index % 10}`, userId: `u${index % 500}`, sessionId: `s${index}` };
    ledger.createSession(identity, now);
    return identity;
  });
  const input = (index: number, messages: unknown) => ({
    callId: `c${index}-${messages === MESSAGES ? 'long' : 'short'}`,
    body: { model: 'gpt-4o-mini', messages, max_tokens: 512, plaza_session_id: sessions[index]!.sessionId, plaza_human_input: true },
    identity: sessions[index]!,
    prices: DEFAULT_PRICES,
    limits,
    policy: DEFAULT_CALL_POLICY,
    guards: DEFAULT_GUARD_CONFIG,
    killSwitches: {},
    now,
  });
  const short = [{ role: 'user', content: 'Suggest a chess opening.' }];
  // Plans first (token counting, no lock), then the atomic admissions alone.
  const half = Math.floor(RESERVATIONS / 2);
  const plans = Array.from({ length: half }, (_, index) => ledger.plan(input(index, short))!);
  let started = performance.now();
  for (const planned of plans) if (ledger.admit(planned).kind !== 'admitted') throw new Error('refused');
  const admitSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  for (let index = half; index < RESERVATIONS; index += 1) if (ledger.reserve(input(index, MESSAGES)).kind !== 'admitted') throw new Error('refused');
  const fullSeconds = (performance.now() - started) / 1000;
  console.log(`ledger reservations (file-backed SQLite, WAL, ${half} each, 5 budget scopes per call):`);
  console.log(`  atomic admission alone (check + reserve every scope + call row + session)   ${Math.round(half / admitSeconds).toLocaleString('en-US')} /s   (goal ≥ 5,000/s)`);
  console.log(`  plan + admission with the ${PROMPT_TOKENS}-token prompt counted                       ${Math.round((RESERVATIONS - half) / fullSeconds).toLocaleString('en-US')} /s`);
  void store.close();
}

await latency();
reservations();
