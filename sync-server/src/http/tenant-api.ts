/**
 * Tenant administration over HTTP. Every route re-checks, on every request, that the caller is a
 * member (or an owner/admin) of the tenant in the path, with the role read from the store, and
 * that this tenant is the one of the caller's access token: a token of tenant A used on B's paths
 * gets 403, the same answer whether B exists or not.
 */
import type { Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import {
  createInviteRequestSchema,
  setRoleRequestSchema,
  updateTenantRequestSchema,
  type InviteResponse,
  type MemberResponse,
  type MembersResponse,
  type ResetLinkResponse,
  type TenantResponse,
} from '../../../shared/api/auth.ts';
import type { ApiErrorCode } from '../../../shared/api/errors.ts';
import { isTenantAdmin } from '../../../shared/sync/rooms.ts';
import { tenantAllowsGuests, tenantOpenForRegistration } from '../auth/accounts.ts';
import type { TenantAdminProblem } from '../auth/tenant-admin.ts';
import type { TenantRecord } from '../store/directory-types.ts';
import { emptyBodySchema } from './auth-api.ts';
import { authenticate, clientMeta, sameSiteOnly, sendProblem, sendSession, type Authenticated, type AuthHttpDeps } from './auth-http.ts';
import { readJsonBody, readOptionalJsonBody } from './body.ts';
import { sendError } from './errors.ts';

export const TENANT_PROBLEM_STATUS: Record<TenantAdminProblem['code'], readonly [ContentfulStatusCode, ApiErrorCode]> = {
  'not-found': [404, 'not_found'],
  forbidden: [403, 'forbidden'],
  'last-owner': [409, 'conflict'],
  'guest-user': [409, 'conflict'],
  'invite-invalid': [404, 'not_found'],
  'not-account': [403, 'forbidden'],
};

const CODE = /^[A-Za-z0-9_-]{16,128}$/;

function tenantView(tenant: TenantRecord): TenantResponse['tenant'] {
  const { policy } = tenant;
  return {
    id: tenant.id,
    name: tenant.name,
    policy: {
      guestsMayBrowse: policy.guestsMayBrowse,
      guestsAllowed: tenantAllowsGuests(tenant),
      openRegistration: tenantOpenForRegistration(tenant),
      taxBps: policy.taxBps,
      startingGrant: policy.startingGrant,
      currency: policy.currency,
    },
  };
}

export function mountTenantApi(app: Hono, deps: AuthHttpDeps): void {
  const admin = deps.tenantAdmin;

  for (const pattern of ['/api/tenants/*', '/api/invites/*']) {
    app.use(pattern, sameSiteOnly(deps));
    app.use(pattern, async (c, next) => {
      await next();
      c.header('cache-control', 'no-store');
      c.header('x-content-type-options', 'nosniff');
    });
  }

  /** The caller, if they belong to the path's tenant (and are an owner/admin there when `need` says so). */
  const guard = async (c: Context, need: 'member' | 'admin'): Promise<Authenticated | Response> => {
    const caller = await authenticate(c, deps);
    if (caller instanceof Response) return caller;
    if (c.req.param('tenant') !== caller.claims.tenant) return sendError(c, 403, 'forbidden', 'your session is not for this tenant');
    if (need === 'admin' && !isTenantAdmin(caller.role)) return sendError(c, 403, 'forbidden', 'only owners and admins of this tenant may do that');
    return caller;
  };
  const actor = (caller: Authenticated) => ({ user: caller.user.id, role: caller.role });

  app.get('/api/tenants/:tenant', async (c) => {
    const caller = await guard(c, 'member');
    if (caller instanceof Response) return caller;
    return c.json({ tenant: tenantView(caller.tenant) } satisfies TenantResponse);
  });

  app.patch('/api/tenants/:tenant', async (c) => {
    const body = await readJsonBody(c, updateTenantRequestSchema);
    if (!body.ok) return body.response;
    const caller = await guard(c, 'admin');
    if (caller instanceof Response) return caller;
    const updated = await admin.updateTenant(caller.tenant, body.value);
    return c.json({ tenant: tenantView(updated) } satisfies TenantResponse);
  });

  app.get('/api/tenants/:tenant/members', async (c) => {
    const caller = await guard(c, 'admin');
    if (caller instanceof Response) return caller;
    return c.json({ members: await admin.members(caller.tenant.id) } satisfies MembersResponse);
  });

  app.post('/api/tenants/:tenant/invites', async (c) => {
    const body = await readOptionalJsonBody(c, createInviteRequestSchema);
    if (!body.ok) return body.response;
    const caller = await guard(c, 'admin');
    if (caller instanceof Response) return caller;
    const invite = await admin.createInvite(actor(caller), caller.tenant.id, body.value.role);
    return c.json({ code: invite.code, url: `/invite/${invite.code}`, expiresAt: invite.expiresAt, role: invite.role, maxUses: invite.maxUses } satisfies InviteResponse, 201);
  });

  app.put('/api/tenants/:tenant/members/:user', async (c) => {
    const body = await readJsonBody(c, setRoleRequestSchema);
    if (!body.ok) return body.response;
    const caller = await guard(c, 'admin');
    if (caller instanceof Response) return caller;
    const result = await admin.setRole(actor(caller), caller.tenant.id, c.req.param('user'), body.value.role);
    if (!result.ok) return sendProblem(c, result.error, TENANT_PROBLEM_STATUS);
    return c.json({ member: result.value } satisfies MemberResponse);
  });

  app.delete('/api/tenants/:tenant/members/:user', async (c) => {
    const body = await readOptionalJsonBody(c, emptyBodySchema);
    if (!body.ok) return body.response;
    const caller = await guard(c, 'admin');
    if (caller instanceof Response) return caller;
    const result = await admin.removeMember(actor(caller), caller.tenant.id, c.req.param('user'));
    if (!result.ok) return sendProblem(c, result.error, TENANT_PROBLEM_STATUS);
    return c.body(null, 204);
  });

  app.post('/api/tenants/:tenant/members/:user/reset-link', async (c) => {
    const body = await readOptionalJsonBody(c, emptyBodySchema);
    if (!body.ok) return body.response;
    const caller = await guard(c, 'admin');
    if (caller instanceof Response) return caller;
    const result = await admin.resetLink(actor(caller), caller.tenant.id, c.req.param('user'));
    if (!result.ok) return sendProblem(c, result.error, TENANT_PROBLEM_STATUS);
    return c.json({ url: `/reset/${result.value.token}`, expiresAt: result.value.expiresAt } satisfies ResetLinkResponse, 201);
  });

  app.post('/api/invites/:code/accept', async (c) => {
    const body = await readOptionalJsonBody(c, emptyBodySchema);
    if (!body.ok) return body.response;
    const caller = await authenticate(c, deps);
    if (caller instanceof Response) return caller;
    const code = c.req.param('code');
    if (!CODE.test(code)) return sendError(c, 404, 'not_found', 'this invite is invalid, used up or expired; ask for a new one');
    const result = await admin.acceptInvite(caller.user.id, code, clientMeta(c, deps));
    if (!result.ok) return sendProblem(c, result.error, TENANT_PROBLEM_STATUS);
    return sendSession(c, deps, result.value, 200);
  });
}
