/**
 * The AI assistant's HTTP routes (contract: shared/api/llm.ts):
 * - OpenAI-compatible `/v1/models` and `/v1/chat/completions`, authenticated with a Plaza access
 *   token, so the official SDK (`baseURL: <server>/v1`) and curl work unchanged;
 * - chat sessions (`/api/llm/sessions`), the tenant admins' budgets, kill switches and spend
 *   dashboard, and the operator's cross-tenant versions under `/api/admin/llm`.
 * Tenant and user come from the verified token only; membership is re-checked on every request.
 */
import { performance } from 'node:perf_hooks';
import type { Context, Hono } from 'hono';
import type { z } from 'zod';
import { isTenantAdmin, type Role } from '../../../shared/sync/rooms.ts';
import type { ApiErrorCode } from '../../../shared/api/errors.ts';
import { killSwitchRequestSchema, operatorBudgetsSchema, spendQuerySchema, tenantBudgetsSchema, type KillSwitchRequest, type LlmRefusalDetails, type TenantBudgetsResponse } from '../../../shared/api/llm.ts';
import { refusalHttpStatus, type Refusal, type RefusalCode } from '../../../shared/domain/llm/refusal.ts';
import { dayWindow } from '../../../shared/domain/llm/windows.ts';
import type { Directory } from '../auth/directory.ts';
import type { AccessClaims, TokenService } from '../auth/tokens.ts';
import { llmErrorBody, llmErrorResponse, ProxiedCall } from '../llm/proxied-call.ts';
import { sessionView, type LlmService } from '../llm/service.ts';
import { isOperator } from './admin-api.ts';
import { readJsonBody } from './body.ts';

export interface LlmApiDeps {
  readonly service: LlmService;
  readonly tokens: TokenService;
  readonly directory: Directory;
  /** Whether the login behind a token is still signed in (signing out ends spending at once). */
  readonly acceptsClaims: (claims: AccessClaims) => Promise<boolean>;
  readonly operatorKey: string;
  readonly now: () => number;
}

const REFUSAL_CODE: Readonly<Record<RefusalCode, ApiErrorCode>> = {
  'invalid-request': 'validation_failed',
  'field-not-allowed': 'validation_failed',
  'unknown-model': 'not_found',
  'too-many-choices': 'validation_failed',
  'prompt-too-long': 'validation_failed',
  'session-mismatch': 'bad_request',
  'kill-switch': 'kill_switch',
  'session-halted': 'session_halted',
  'rate-limited': 'rate_limited',
  'budget-exhausted': 'budget_exhausted',
};

const SESSION_ID = /^[A-Za-z0-9_-]{1,128}$/;

function error(status: number, code: ApiErrorCode, message: string, details?: LlmRefusalDetails, param: string | null = null, headers: Record<string, string> = {}): Response {
  return llmErrorResponse(status, llmErrorBody(code, message, details, param), headers);
}

function refusalResponse(refusal: Refusal): Response {
  const details: LlmRefusalDetails = {
    refusal: refusal.code,
    ...(refusal.budget ? { budget: refusal.budget } : {}),
    ...(refusal.killSwitch ? { killSwitch: refusal.killSwitch } : {}),
    ...(refusal.halt ? { halt: refusal.halt } : {}),
    ...(refusal.retryAt === undefined ? {} : { retryAt: refusal.retryAt }),
  };
  const headers: Record<string, string> = refusal.retryAt === undefined ? {} : { 'retry-after': String(Math.max(1, Math.ceil((refusal.retryAt - Date.now()) / 1000))) };
  return error(refusalHttpStatus(refusal.code), REFUSAL_CODE[refusal.code], refusal.message, details, refusal.field ?? null, headers);
}

type Principal = AccessClaims & { readonly currentRole: Role };

/** Reads a raw JSON body with a size limit; garbage gets a 400 that says so. */
async function readRawJson(c: Context, limit: number): Promise<{ ok: true; value: unknown } | { ok: false; response: Response }> {
  const declared = Number(c.req.header('content-length') ?? '0');
  const tooLarge = () => ({ ok: false as const, response: error(413, 'payload_too_large', `The request body is larger than ${limit} bytes.`) });
  if (declared > limit) return tooLarge();
  if (!/^application\/json\b/i.test(c.req.header('content-type') ?? '')) return { ok: false, response: error(415, 'bad_request', 'Send the body as application/json.') };
  let buffer: ArrayBuffer;
  try {
    buffer = await c.req.arrayBuffer();
  } catch {
    return { ok: false, response: error(400, 'bad_request', 'The request body could not be read.') };
  }
  if (buffer.byteLength > limit) return tooLarge();
  try {
    return { ok: true, value: JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(buffer)) as unknown };
  } catch {
    return { ok: false, response: error(400, 'invalid_json', 'The request body is not valid JSON (UTF-8).') };
  }
}

export function mountLlmApi(app: Hono, deps: LlmApiDeps): void {
  const { service, tokens, directory } = deps;
  const timing = service.metrics.llmLatency;

  /** A member of the token's tenant (guests may not spend), re-checked now. */
  async function authenticate(c: Context): Promise<{ ok: true; principal: Principal } | { ok: false; response: Response }> {
    const match = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '');
    const verified = await tokens.verify(match?.[1], deps.now());
    if (!verified.ok) return { ok: false, response: error(401, 'unauthorized', 'A valid Plaza access token is required (Authorization: Bearer <token>).') };
    const claims = verified.value;
    if (!(await deps.acceptsClaims(claims))) return { ok: false, response: error(401, 'unauthorized', 'This sign-in has ended; sign in again.') };
    const role = await directory.role(claims.tenant, claims.user, deps.now());
    if (role === null) return { ok: false, response: error(403, 'forbidden', 'You are not a member of this community any more.', { refusal: 'not-allowed' }) };
    if (role === 'guest') return { ok: false, response: error(403, 'forbidden', 'The AI assistant is for members; guests cannot use it.', { refusal: 'not-allowed' }) };
    return { ok: true, principal: { ...claims, currentRole: role } };
  }

  /** The operator, or an admin of `:tenant` (re-checked now). */
  async function tenantAdmin(c: Context): Promise<{ ok: true; tenant: string; by: string } | { ok: false; response: Response }> {
    const tenant = c.req.param('tenant') ?? '';
    if (isOperator(c.req.header('authorization'), deps.operatorKey)) {
      if (!(await directory.tenant(tenant))) return { ok: false, response: error(404, 'not_found', 'No such community.') };
      return { ok: true, tenant, by: 'operator' };
    }
    const auth = await authenticate(c);
    if (!auth.ok) return auth;
    if (auth.principal.tenant !== tenant || !isTenantAdmin(auth.principal.currentRole)) return { ok: false, response: error(403, 'forbidden', 'Only the administrators of this community can do that.') };
    return { ok: true, tenant, by: `user:${auth.principal.user}` };
  }

  async function body<S extends z.ZodType>(c: Context, schema: S): Promise<{ ok: true; value: z.output<S> } | { ok: false; response: Response }> {
    return readJsonBody(c, schema);
  }

  function spendRange(c: Context): { ok: true; from: string; to: string } | { ok: false; response: Response } {
    const parsed = spendQuerySchema.safeParse({ from: c.req.query('from'), to: c.req.query('to') });
    if (!parsed.success) return { ok: false, response: error(400, 'validation_failed', parsed.error.issues[0]?.message ?? 'bad range') };
    const today = dayWindow(deps.now());
    const from = parsed.data.from ?? parsed.data.to ?? today;
    const to = parsed.data.to ?? today;
    if (from > to) return { ok: false, response: error(400, 'validation_failed', '"from" must not be after "to".') };
    if (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`) > 366 * 86_400_000) return { ok: false, response: error(400, 'validation_failed', 'Ask for at most 366 days at once.') };
    return { ok: true, from, to };
  }

  // OpenAI-compatible ---------------------------------------------------------------------------

  app.get('/v1/models', async (c) => {
    const auth = await authenticate(c);
    if (!auth.ok) return auth.response;
    return c.json(service.models());
  });

  app.post('/v1/chat/completions', async (c) => {
    const started = performance.now();
    const auth = await authenticate(c);
    if (!auth.ok) return auth.response;
    const authed = performance.now();
    timing.observe({ phase: 'auth' }, (authed - started) / 1000);
    const raw = await readRawJson(c, service.config.llmMaxBodyBytes);
    if (!raw.ok) return raw.response;
    const requestBody = raw.value;
    if (typeof requestBody !== 'object' || requestBody === null || Array.isArray(requestBody)) return error(400, 'validation_failed', 'The request body must be a JSON object.');
    const sessionId = (requestBody as Record<string, unknown>).plaza_session_id;
    if (typeof sessionId !== 'string' || !SESSION_ID.test(sessionId)) {
      service.metrics.llmRefusals.inc({ reason: 'no-session' });
      return error(400, 'validation_failed', 'plaza_session_id is required: get one from POST /api/llm/sessions.', undefined, 'plaza_session_id');
    }
    const { principal } = auth;
    const identity = { tenantId: principal.tenant, userId: principal.user, sessionId };
    const upstream = service.upstream;
    if (!upstream) {
      service.metrics.llmRefusals.inc({ reason: 'not-configured' });
      return error(503, 'unavailable', 'The AI assistant is not configured on this server.', { refusal: 'not-configured' });
    }
    const limits = await service.budgets.limitsFor(principal.tenant);
    const callId = service.newCallId();
    const reserveStarted = performance.now();
    let reserved;
    try {
      reserved = await service.store.reserve({
        callId,
        body: requestBody,
        identity,
        prices: service.prices,
        limits,
        policy: service.policy,
        guards: service.guards,
        killSwitches: service.killSwitchesFor(identity),
        countPromptTokens: service.countPromptTokens,
        now: deps.now(),
      });
    } catch (failure) {
      service.logger.error({ err: failure, tenant: principal.tenant }, 'the llm ledger could not reserve: refusing the call');
      service.metrics.llmRefusals.inc({ reason: 'ledger-unavailable' });
      return error(503, 'unavailable', 'The AI budget ledger cannot be written right now, so no AI call can be made. Try again later.', { refusal: 'ledger-unavailable' });
    }
    timing.observe({ phase: 'reserve' }, (performance.now() - reserveStarted) / 1000);
    if (reserved.kind === 'no-session') {
      service.metrics.llmRefusals.inc({ reason: 'unknown-session' });
      return error(404, 'not_found', 'This chat session does not exist or is not yours: get a new one from POST /api/llm/sessions.', { refusal: 'unknown-session' }, 'plaza_session_id');
    }
    if (reserved.kind === 'refused') {
      service.metrics.llmRefusals.inc({ reason: reserved.refusal.code });
      service.alerts.dispatch(reserved.alerts);
      if (reserved.refusal.sessionAfter || reserved.alerts.length > 0) service.meters.schedule(principal.tenant, principal.user);
      return refusalResponse(reserved.refusal);
    }
    const call = new ProxiedCall(service, upstream, callId, reserved.plan, started);
    const answer = call.run();
    // The admission waited for its commit: a switch turned on meanwhile (it could not cut a call
    // it did not see yet) stops this one now, before it goes upstream, charged like any call cut.
    if (Object.keys(service.killSwitchesFor(identity)).length > 0) call.cut('kill-switch');
    return answer;
  });

  // Chat sessions -------------------------------------------------------------------------------

  app.post('/api/llm/sessions', async (c) => {
    const auth = await authenticate(c);
    if (!auth.ok) return auth.response;
    try {
      const state = await service.createSession(auth.principal.tenant, auth.principal.user);
      return c.json({ session: sessionView(state) }, 201);
    } catch (failure) {
      service.logger.error({ err: failure }, 'could not create an llm session');
      return error(503, 'unavailable', 'The AI budget ledger cannot be written right now. Try again later.', { refusal: 'ledger-unavailable' });
    }
  });

  const sessionIdentity = (principal: Principal, id: string) => ({ tenantId: principal.tenant, userId: principal.user, sessionId: id });
  const noSession = () => error(404, 'not_found', 'This chat session does not exist or is not yours.', { refusal: 'unknown-session' });

  app.get('/api/llm/sessions/:id', async (c) => {
    const auth = await authenticate(c);
    if (!auth.ok) return auth.response;
    const id = c.req.param('id');
    if (!SESSION_ID.test(id)) return noSession();
    const stored = await service.store.session(sessionIdentity(auth.principal, id));
    return stored ? c.json({ session: sessionView(stored.state) }) : noSession();
  });

  app.post('/api/llm/sessions/:id/resume', async (c) => {
    const auth = await authenticate(c);
    if (!auth.ok) return auth.response;
    const id = c.req.param('id');
    if (!SESSION_ID.test(id)) return noSession();
    const result = await service.store.resumeSession(sessionIdentity(auth.principal, id), deps.now());
    if (!result.ok) {
      if (result.error.code === 'no-session') return noSession();
      return error(409, 'session_halted', result.error.message, { refusal: 'session-halted' });
    }
    service.meters.schedule(auth.principal.tenant, auth.principal.user);
    return c.json({ session: sessionView(result.value) });
  });

  // Tenant admins -------------------------------------------------------------------------------

  app.get('/api/tenants/:tenant/llm/spend', async (c) => {
    const admin = await tenantAdmin(c);
    if (!admin.ok) return admin.response;
    const range = spendRange(c);
    if (!range.ok) return range.response;
    return c.json(await service.spendReport(admin.tenant, range.from, range.to));
  });

  const budgetsOf = async (tenant: string): Promise<TenantBudgetsResponse> => ({
    tenant,
    effective: await service.budgets.effective(tenant),
    own: await service.budgets.tenantOwn(tenant),
    ceiling: service.budgets.operator().ceiling,
  });

  app.get('/api/tenants/:tenant/llm/budgets', async (c) => {
    const admin = await tenantAdmin(c);
    if (!admin.ok) return admin.response;
    return c.json(await budgetsOf(admin.tenant));
  });

  app.put('/api/tenants/:tenant/llm/budgets', async (c) => {
    const admin = await tenantAdmin(c);
    if (!admin.ok) return admin.response;
    const parsed = await body(c, tenantBudgetsSchema);
    if (!parsed.ok) return parsed.response;
    const result = await service.budgets.setTenant(admin.tenant, parsed.value, deps.now());
    if (!result.ok) return error(400, 'validation_failed', result.error.message);
    service.logger.info({ tenant: admin.tenant, by: admin.by, budgets: parsed.value }, 'llm tenant budgets changed');
    return c.json(await budgetsOf(admin.tenant));
  });

  const switchResponse = async (request: KillSwitchRequest, by: string) => ({ scope: request.scope, on: request.on, callsCut: await service.setKillSwitch(request, by) });

  app.put('/api/tenants/:tenant/llm/kill-switch', async (c) => {
    const admin = await tenantAdmin(c);
    if (!admin.ok) return admin.response;
    const parsed = await body(c, killSwitchRequestSchema);
    if (!parsed.ok) return parsed.response;
    const request = parsed.value;
    if (request.scope === 'global') return error(403, 'forbidden', 'Only the Plaza operator can switch the AI assistant off for everyone.');
    if (request.tenant !== undefined && request.tenant !== admin.tenant) return error(403, 'forbidden', 'You can only act on your own community.');
    return c.json(await switchResponse({ ...request, tenant: admin.tenant }, admin.by));
  });

  // Operator ------------------------------------------------------------------------------------

  const operatorOnly = (c: Context) => (isOperator(c.req.header('authorization'), deps.operatorKey) ? null : error(401, 'unauthorized', 'The operator credential is required.'));

  app.get('/api/admin/llm/spend', async (c) => {
    const denied = operatorOnly(c);
    if (denied) return denied;
    const range = spendRange(c);
    if (!range.ok) return range.response;
    return c.json(await service.spendReport(null, range.from, range.to));
  });

  app.get('/api/admin/llm/budgets', (c) => operatorOnly(c) ?? c.json(service.budgets.operator()));

  app.put('/api/admin/llm/budgets', async (c) => {
    const denied = operatorOnly(c);
    if (denied) return denied;
    const parsed = await body(c, operatorBudgetsSchema);
    if (!parsed.ok) return parsed.response;
    await service.budgets.setOperator(parsed.value, deps.now());
    service.logger.info({ budgets: parsed.value }, 'llm operator budgets changed');
    return c.json(service.budgets.operator());
  });

  app.put('/api/admin/llm/kill-switch', async (c) => {
    const denied = operatorOnly(c);
    if (denied) return denied;
    const parsed = await body(c, killSwitchRequestSchema);
    if (!parsed.ok) return parsed.response;
    if (parsed.value.scope !== 'global' && parsed.value.tenant === undefined) return error(400, 'validation_failed', `A ${parsed.value.scope} kill switch names the tenant.`, undefined, 'tenant');
    return c.json(await switchResponse(parsed.value, 'operator'));
  });
}
