/**
 * The desktop bridge: the one object the Electron preload exposes to the renderer as
 * `window.plaza`. Named functions only (no generic invoke), each backed by one IPC channel whose
 * arguments the main process validates (`bridge-schemas.ts`).
 */
export const BRIDGE_GLOBAL = 'plaza';

export const IPC_CHANNELS = {
  getDesktopConfig: 'plaza:config:get',
  setServerUrl: 'plaza:config:set-server-url',
  saveSecret: 'plaza:secret:save',
  loadSecret: 'plaza:secret:load',
  deleteSecret: 'plaza:secret:delete',
  openExternal: 'plaza:shell:open-external',
  llmChat: 'plaza:llm:chat',
  llmStop: 'plaza:llm:stop',
  llmDirectStatus: 'plaza:llm:status',
  llmDirectConfigure: 'plaza:llm:configure',
  llmDirectSession: 'plaza:llm:session',
} as const;

/** Messages the main process sends to a window (not invoke channels). */
export const IPC_EVENTS = {
  /** `(requestId, text)`: a piece of a direct-mode answer, for `llmChat`'s `onChunk`. */
  llmChunk: 'plaza:llm:chunk',
} as const;

export type IpcChannel = (typeof IPC_CHANNELS)[keyof typeof IPC_CHANNELS];

export interface DesktopConfig {
  readonly serverUrl: string;
  readonly appVersion: string;
  readonly platform: string;
}

/**
 * Direct mode (desktop only): the AI call runs in the main process with the user's own key or a
 * local OpenAI-compatible server, behind the main process's own durable ledger and budgets. The
 * key never comes back to the renderer.
 */
export interface DirectChatMessage {
  readonly role: 'system' | 'developer' | 'user' | 'assistant';
  readonly content: string;
}

export interface DirectChatRequest {
  /** Chosen by the renderer (8–64 of A-Z a-z 0-9 _ -), to match chunks and to stop the call. */
  readonly requestId: string;
  readonly sessionId: string;
  readonly model: string;
  readonly messages: readonly DirectChatMessage[];
  readonly maxTokens?: number;
  readonly temperature?: number;
  /** True only when a person's input event (send button, Enter) started this call. */
  readonly humanInput: boolean;
}

export interface DirectMeterRow {
  readonly kind: 'session' | 'user-day' | 'tenant-day' | 'tenant-month' | 'global-day';
  readonly label: string;
  readonly spentMicroUsd: number;
  readonly reservedMicroUsd: number;
  readonly capMicroUsd: number;
  readonly remainingMicroUsd: number;
  readonly resetsAt: number | null;
  readonly summary: string;
}

export interface DirectSessionView {
  readonly sessionId: string;
  readonly startedAt: number;
  readonly callCount: number;
  readonly spentMicroUsd: number;
  readonly halt: { readonly code: string; readonly message: string; readonly resumable: boolean } | null;
  /** This session, today (day cap) and this month, as the meter shows them. */
  readonly meter: readonly DirectMeterRow[];
}

export type DirectChatResult =
  | {
      readonly ok: true;
      readonly callId: string;
      readonly text: string;
      readonly endedBy: string;
      readonly basis: 'usage' | 'full-reservation';
      readonly chargedMicroUsd: number;
      readonly session: DirectSessionView;
    }
  | {
      readonly ok: false;
      /** A refusal code of the budget policy, or not-configured / unknown-session / ledger-unavailable / upstream. */
      readonly code: string;
      readonly message: string;
      readonly session: DirectSessionView | null;
      readonly details?: unknown;
    };

export interface DirectBudgets {
  readonly sessionMicroUsd: number;
  readonly dailyMicroUsd: number;
  readonly monthlyMicroUsd: number;
}

export interface DirectStatus {
  /** An upstream URL is set (a key may not be needed for a local server). */
  readonly configured: boolean;
  readonly baseURL: string | null;
  readonly hasKey: boolean;
  readonly budgets: DirectBudgets;
  readonly models: ReadonlyArray<{ readonly id: string; readonly label: string; readonly priceText: string }>;
}

export interface DirectConfigureRequest {
  readonly baseURL?: string;
  /** A new key, or null to forget the stored one. Never returned by any call. */
  readonly apiKey?: string | null;
  readonly budgets?: DirectBudgets;
}

export type DirectSessionRequest = { readonly action: 'new' } | { readonly action: 'resume'; readonly sessionId: string } | { readonly action: 'get'; readonly sessionId: string };

export interface PlazaBridge {
  readonly bridgeVersion: 1;
  getDesktopConfig(): Promise<DesktopConfig>;
  /** Changes the sync server; the window reloads so that its CSP allows the new server. */
  setServerUrl(url: string): Promise<DesktopConfig>;
  saveSecret(name: string, value: string): Promise<void>;
  loadSecret(name: string): Promise<string | null>;
  deleteSecret(name: string): Promise<void>;
  openExternal(url: string): Promise<void>;
  /** A direct-mode AI call; `onChunk` receives the answer as it streams. */
  llmChat(request: DirectChatRequest, onChunk: (text: string) => void): Promise<DirectChatResult>;
  /** The stop button: ends the call started with this request id. */
  llmStop(requestId: string): Promise<boolean>;
  llmDirectStatus(): Promise<DirectStatus>;
  llmDirectConfigure(request: DirectConfigureRequest): Promise<DirectStatus>;
  /** A new session, the Resume button after a halt, or a session's meter. */
  llmDirectSession(request: DirectSessionRequest): Promise<DirectSessionView>;
}
