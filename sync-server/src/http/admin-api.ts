/**
 * The operator's HTTP API (the admin CLI talks to it when a server runs): tenants, users,
 * memberships and development tokens. Authenticated with the operator credential, which lives
 * outside every tenant.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Hono } from 'hono';
import { z } from 'zod';
import { ROLES } from '../../../shared/sync/rooms.ts';
import type { Directory } from '../auth/directory.ts';
import { hashSecret, type TokenService } from '../auth/tokens.ts';
import { createTenant, createUser, DirectoryError, newId } from '../auth/provisioning.ts';
import type { SessionService } from '../auth/sessions.ts';
import type { TenantAdmin } from '../auth/tenant-admin.ts';
import { readJsonBody } from './body.ts';
import { sendError } from './errors.ts';

const idSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'ids use A-Z a-z 0-9 _ - (1–64)');

export function isOperator(header: string | undefined, operatorKey: string): boolean {
  const match = /^Bearer (.+)$/.exec(header ?? '');
  if (!match?.[1]) return false;
  return timingSafeEqual(hashSecret(match[1]), hashSecret(operatorKey));
}

export function mountAdminApi(
  app: Hono,
  deps: { directory: Directory; tokens: TokenService; operatorKey: string; now: () => number; sessions?: SessionService; tenantAdmin?: TenantAdmin },
): void {
  const { directory, tokens } = deps;
  app.use('/api/admin/*', async (c, next) => {
    if (!isOperator(c.req.header('authorization'), deps.operatorKey)) return sendError(c, 401, 'unauthorized', 'the operator credential is required');
    await next();
    return undefined;
  });

  app.get('/api/admin/tenants', async (c) => c.json({ tenants: await directory.store.listTenants() }));

  app.post('/api/admin/tenants', async (c) => {
    const body = await readJsonBody(c, z.strictObject({ id: idSchema, name: z.string().trim().min(1).max(80), guestsMayBrowse: z.boolean().default(true) }));
    if (!body.ok) return body.response;
    try {
      const tenant = await createTenant(directory.store, { ...body.value, now: deps.now() });
      return c.json({ tenant }, 201);
    } catch (error) {
      if (error instanceof DirectoryError) return sendError(c, 409, 'conflict', error.message);
      throw error;
    }
  });

  app.post('/api/admin/users', async (c) => {
    const body = await readJsonBody(
      c,
      z.strictObject({
        tenant: idSchema,
        displayName: z.string().trim().min(1).max(80),
        role: z.enum(ROLES).default('member'),
        email: z.email().max(254).optional(),
        id: idSchema.optional(),
      }),
    );
    if (!body.ok) return body.response;
    try {
      const user = await createUser(directory, { ...body.value, kind: body.value.role === 'guest' ? 'guest' : 'account', now: deps.now() });
      return c.json({ user: { id: user.id, displayName: user.displayName, email: user.email } }, 201);
    } catch (error) {
      if (error instanceof DirectoryError) return sendError(c, 409, 'conflict', error.message);
      throw error;
    }
  });

  app.put('/api/admin/memberships', async (c) => {
    const body = await readJsonBody(c, z.strictObject({ tenant: idSchema, user: idSchema, role: z.enum(ROLES).nullable() }));
    if (!body.ok) return body.response;
    if (!(await directory.tenant(body.value.tenant))) return sendError(c, 404, 'not_found', 'no such tenant');
    if (!(await directory.user(body.value.user))) return sendError(c, 404, 'not_found', 'no such user');
    await directory.setRole(body.value.tenant, body.value.user, body.value.role, deps.now());
    return c.json({ ok: true });
  });

  app.get('/api/admin/tenants/:tenant/members', async (c) => {
    const tenant = c.req.param('tenant');
    if (!(await directory.tenant(tenant))) return sendError(c, 404, 'not_found', 'no such tenant');
    const members = await directory.store.members(tenant);
    const users = await Promise.all(members.map(async (member) => ({ ...member, user: await directory.user(member.user) })));
    return c.json({ members: users.map(({ user, role, createdAt }) => ({ id: user?.id, displayName: user?.displayName, email: user?.email, kind: user?.kind, role, createdAt })) });
  });

  app.post('/api/admin/tokens', async (c) => {
    const body = await readJsonBody(c, z.strictObject({ tenant: idSchema, user: idSchema, ttlSeconds: z.number().int().min(30).max(30 * 86_400).default(3600) }));
    if (!body.ok) return body.response;
    const role = await directory.role(body.value.tenant, body.value.user);
    const user = await directory.user(body.value.user);
    if (role === null || !user) return sendError(c, 404, 'not_found', 'that user is not a member of that tenant');
    const issued = await tokens.issue(
      { tenant: body.value.tenant, user: user.id, role, name: user.displayName, session: `dev-${randomBytes(6).toString('hex')}`, kind: user.kind },
      body.value.ttlSeconds,
      deps.now(),
    );
    return c.json(issued, 201);
  });

  app.post('/api/admin/sessions/revoke', async (c) => {
    const body = await readJsonBody(c, z.strictObject({ session: z.string().min(1).max(64) }));
    if (!body.ok) return body.response;
    if (deps.sessions) await deps.sessions.revoke(body.value.session);
    else directory.revokeSession(body.value.session);
    return c.json({ ok: true });
  });

  /** A one-time password reset link for any account (tenant admins may only reset users of their tenant alone). */
  app.post('/api/admin/users/:user/reset-link', async (c) => {
    if (!deps.tenantAdmin) return sendError(c, 404, 'not_found', 'accounts are not enabled on this server');
    const result = await deps.tenantAdmin.operatorResetLink(c.req.param('user'));
    if (!result.ok) return sendError(c, result.error.code === 'not-found' ? 404 : 409, result.error.code === 'not-found' ? 'not_found' : 'conflict', result.error.message);
    return c.json({ url: `/reset/${result.value.token}`, expiresAt: result.value.expiresAt }, 201);
  });
}

export { newId };
