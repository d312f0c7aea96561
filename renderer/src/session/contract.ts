/** The accounts HTTP contract as the client uses it (mirrors shared/api/auth.ts on the server). */
import type { Role } from '../../../shared/sync/rooms.ts';

export interface SessionResponse {
  readonly accessToken: string;
  readonly accessTokenExpiresAt: number;
  readonly refreshToken?: string;
  readonly user: { readonly id: string; readonly displayName: string; readonly email: string | null; readonly kind: 'account' | 'guest' };
  readonly tenant: { readonly id: string; readonly name: string };
  readonly role: Role;
}

export interface SetupResponse {
  readonly tenant: { readonly id: string; readonly name: string };
  readonly claimed: boolean;
  readonly guestsAllowed: boolean;
  /** Absent from servers older than it. */
  readonly chess?: { readonly disconnectGraceMs: number };
}

export interface MemberRow {
  readonly id: string;
  readonly displayName: string;
  readonly email: string | null;
  readonly kind: 'account' | 'guest';
  readonly role: Role;
  readonly createdAt: number;
}
