/**
 * The HTTP contract of accounts, sessions and tenant administration, shared by the server (which
 * validates every request body with these strict schemas) and the clients (which may validate
 * the answers). Errors always have the shape of `./errors.ts`.
 *
 * Refresh tokens: desktop clients send `X-Plaza-Client: desktop` and get `refreshToken` in the
 * body (they keep it in the OS keychain); the web flavour gets it as the httpOnly cookie
 * `plaza_refresh` (Path=/api/auth, SameSite=Strict) and never sees it.
 */
import { z } from 'zod';

export const CLIENT_HEADER = 'x-plaza-client';
/** The desktop renderer's origin (`app://plaza`): the API answers it with CORS headers. */
export const DESKTOP_APP_ORIGIN = 'app://plaza';
export const DESKTOP_CLIENT = 'desktop';
export const REFRESH_COOKIE = 'plaza_refresh';
export const REFRESH_COOKIE_PATH = '/api/auth';

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 256;
export const DISPLAY_NAME_MAX_LENGTH = 80;

export const ACCOUNT_ROLES = ['owner', 'admin', 'member', 'guest'] as const;
export type AccountRole = (typeof ACCOUNT_ROLES)[number];
/** Roles an admin can hand out; 'guest' belongs to guest users only. */
export const ASSIGNABLE_ROLES = ['owner', 'admin', 'member'] as const;
export const INVITE_ROLES = ['member', 'admin'] as const;

// ---------------------------------------------------------------------------------------------
// Field schemas

export const tenantIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a tenant id uses A-Z a-z 0-9 _ - (1–64 characters)');
export const userIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a user id uses A-Z a-z 0-9 _ - (1–64 characters)');

/** Trimmed and lower-cased before it is checked or stored. */
export const emailSchema = z
  .string({ error: 'the email must be text' })
  .max(254, 'the email is too long (254 characters at most)')
  .trim()
  .toLowerCase()
  .pipe(z.email('that does not look like an email address'));

export const passwordSchema = z
  .string({ error: 'the password must be text' })
  .min(PASSWORD_MIN_LENGTH, `the password needs at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(PASSWORD_MAX_LENGTH, `the password may have at most ${PASSWORD_MAX_LENGTH} characters`);

/** A password presented to sign in: no rules beyond a sane size (old passwords stay valid). */
const presentedPasswordSchema = z.string({ error: 'the password must be text' }).min(1, 'the password is missing').max(PASSWORD_MAX_LENGTH, 'the password is too long');

export const displayNameSchema = z
  .string({ error: 'the display name must be text' })
  .trim()
  .min(1, 'the display name is empty')
  .max(DISPLAY_NAME_MAX_LENGTH, `the display name may have at most ${DISPLAY_NAME_MAX_LENGTH} characters`)
  .refine((value) => ![...value].some((char) => (char.codePointAt(0) ?? 0) < 0x20 || char === '\u007f'), 'the display name may not contain control characters');

/** Opaque secrets (refresh tokens, reset tokens, invite codes): base64url, bounded. */
const opaqueToken = (what: string) => z.string({ error: `the ${what} must be text` }).regex(/^[A-Za-z0-9_-]{16,128}$/, `that is not a valid ${what}`);

// ---------------------------------------------------------------------------------------------
// Requests

export const guestRequestSchema = z.strictObject({ tenant: tenantIdSchema.optional() });
export type GuestRequest = z.input<typeof guestRequestSchema>;

export const registerRequestSchema = z.strictObject({
  email: emailSchema,
  password: passwordSchema,
  displayName: displayNameSchema,
  tenant: tenantIdSchema.optional(),
  /** Optional invite code: joins the invite's tenant with its role (for tenants closed to self-registration). */
  invite: opaqueToken('invite code').optional(),
});
export type RegisterRequest = z.input<typeof registerRequestSchema>;

export const loginRequestSchema = z.strictObject({
  email: emailSchema,
  password: presentedPasswordSchema,
  tenant: tenantIdSchema.optional(),
});
export type LoginRequest = z.input<typeof loginRequestSchema>;

export const refreshRequestSchema = z.strictObject({ refreshToken: opaqueToken('refresh token').optional() });
export type RefreshRequest = z.input<typeof refreshRequestSchema>;

export const logoutRequestSchema = refreshRequestSchema;
export type LogoutRequest = RefreshRequest;

export const changePasswordRequestSchema = z.strictObject({ currentPassword: presentedPasswordSchema, newPassword: passwordSchema });
export type ChangePasswordRequest = z.input<typeof changePasswordRequestSchema>;

export const resetPasswordRequestSchema = z.strictObject({ token: opaqueToken('reset token'), newPassword: passwordSchema });
export type ResetPasswordRequest = z.input<typeof resetPasswordRequestSchema>;

export const deleteMeRequestSchema = z.strictObject({ password: presentedPasswordSchema.optional() });
export type DeleteMeRequest = z.input<typeof deleteMeRequestSchema>;

export const createInviteRequestSchema = z.strictObject({ role: z.enum(INVITE_ROLES).default('member') });
export type CreateInviteRequest = z.input<typeof createInviteRequestSchema>;

export const setRoleRequestSchema = z.strictObject({ role: z.enum(ASSIGNABLE_ROLES) });
export type SetRoleRequest = z.input<typeof setRoleRequestSchema>;

export const updateTenantRequestSchema = z
  .strictObject({
    name: z.string().trim().min(1, 'the name is empty').max(80, 'the name may have at most 80 characters').optional(),
    guestsMayBrowse: z.boolean().optional(),
    /** Whether guest sessions may be started at all (default true). */
    guestsAllowed: z.boolean().optional(),
    /** Whether anyone may register into this tenant without an invite. */
    openRegistration: z.boolean().optional(),
    taxBps: z.number().int('taxBps is a whole number of basis points').min(0).max(10_000, 'taxBps is at most 10000 (100%)').optional(),
    startingGrant: z.number().int('startingGrant is a whole number of minor units').min(0).max(1_000_000_000_000).optional(),
  })
  .refine((value) => Object.values(value).some((field) => field !== undefined), { message: 'change at least one setting' });
export type UpdateTenantRequest = z.input<typeof updateTenantRequestSchema>;

// ---------------------------------------------------------------------------------------------
// Responses

export const userInfoSchema = z.object({
  id: z.string(),
  displayName: z.string(),
  email: z.string().nullable(),
  kind: z.enum(['account', 'guest']),
});
export type UserInfo = z.output<typeof userInfoSchema>;

export const tenantRefSchema = z.object({ id: z.string(), name: z.string() });
export type TenantRef = z.output<typeof tenantRefSchema>;

export const sessionResponseSchema = z.object({
  accessToken: z.string(),
  /** Epoch milliseconds. */
  accessTokenExpiresAt: z.number(),
  /** Desktop clients only (`X-Plaza-Client: desktop`); the web flavour gets a cookie instead. */
  refreshToken: z.string().optional(),
  /** Epoch milliseconds at which the refresh token (body or cookie) expires. */
  refreshTokenExpiresAt: z.number(),
  /** The login this session belongs to (the `sid` claim of the access token). */
  sessionId: z.string(),
  user: userInfoSchema,
  tenant: tenantRefSchema,
  role: z.enum(ACCOUNT_ROLES),
});
export type SessionResponse = z.output<typeof sessionResponseSchema>;

export const membershipInfoSchema = z.object({ tenant: tenantRefSchema, role: z.enum(ACCOUNT_ROLES) });
export const meResponseSchema = z.object({
  user: userInfoSchema,
  tenant: tenantRefSchema,
  role: z.enum(ACCOUNT_ROLES),
  memberships: z.array(membershipInfoSchema),
});
export type MeResponse = z.output<typeof meResponseSchema>;

export const memberInfoSchema = z.object({
  id: z.string(),
  displayName: z.string(),
  email: z.string().nullable(),
  kind: z.enum(['account', 'guest']),
  role: z.enum(ACCOUNT_ROLES),
  /** When they joined this tenant (epoch ms). */
  createdAt: z.number(),
});
export type MemberInfo = z.output<typeof memberInfoSchema>;
export const membersResponseSchema = z.object({ members: z.array(memberInfoSchema) });
export type MembersResponse = z.output<typeof membersResponseSchema>;
export const memberResponseSchema = z.object({ member: memberInfoSchema });
export type MemberResponse = z.output<typeof memberResponseSchema>;

export const inviteResponseSchema = z.object({
  code: z.string(),
  /** Relative to the server's origin: `/invite/<code>`. */
  url: z.string(),
  expiresAt: z.number(),
  role: z.enum(INVITE_ROLES),
  maxUses: z.number(),
});
export type InviteResponse = z.output<typeof inviteResponseSchema>;

export const resetLinkResponseSchema = z.object({
  /** Relative to the server's origin: `/reset/<token>`. */
  url: z.string(),
  expiresAt: z.number(),
});
export type ResetLinkResponse = z.output<typeof resetLinkResponseSchema>;

export const tenantPolicySchema = z.object({
  guestsMayBrowse: z.boolean(),
  guestsAllowed: z.boolean(),
  openRegistration: z.boolean(),
  taxBps: z.number(),
  startingGrant: z.number(),
  currency: z.string(),
});
export const tenantResponseSchema = z.object({ tenant: z.object({ id: z.string(), name: z.string(), policy: tenantPolicySchema }) });
export type TenantResponse = z.output<typeof tenantResponseSchema>;

export const setupResponseSchema = z.object({
  tenant: tenantRefSchema,
  /** Whether the tenant has an owner yet; until then the first account registered becomes it. */
  claimed: z.boolean(),
  guestsAllowed: z.boolean(),
  /** What a visitor is told before signing in: how long a player who drops may stay away. */
  chess: z.object({ disconnectGraceMs: z.number() }),
});
export type SetupResponse = z.output<typeof setupResponseSchema>;

/** `GET /api/me/export`: everything the server holds about the user. */
export interface ExportResponse {
  readonly format: 'plaza-export';
  readonly version: 1;
  readonly exportedAt: number;
  readonly user: UserInfo & { readonly createdAt: number; readonly lastSeenAt: number };
  readonly memberships: ReadonlyArray<{ readonly tenant: TenantRef; readonly role: AccountRole; readonly since: number }>;
  readonly logins: ReadonlyArray<{ readonly id: string; readonly tenant: string; readonly client: string; readonly userAgent: string | null; readonly createdAt: number; readonly lastUsedAt: number; readonly revokedAt: number | null }>;
  /** Room name → top-level shared type name → its JSON. */
  readonly rooms: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly decisions: ReadonlyArray<{ readonly tenant: string; readonly intentId: string; readonly kind: string; readonly status: string; readonly decision: unknown; readonly decidedAt: number }>;
  readonly ledger: ReadonlyArray<{ readonly tenant: string; readonly kind: string; readonly amount: number; readonly ref: string; readonly at: number }>;
}
