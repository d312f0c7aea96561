/**
 * The port through which the renderer reaches its host. The renderer never imports Electron:
 * the desktop adapter wraps the preload bridge, the browser adapter serves the web flavour and
 * the tests.
 */
import type { DirectChatRequest, DirectChatResult, DirectConfigureRequest, DirectSessionRequest, DirectSessionView, DirectStatus } from '../../../shared/platform/bridge.ts';

export type PlatformKind = 'desktop' | 'web';

/**
 * Direct mode (desktop only): AI calls made by the host with the user's own key or a local
 * OpenAI-compatible server, behind the host's own ledger. The key goes in through `configure`
 * and never comes back out.
 */
export interface DirectLlmPort {
  chat(request: DirectChatRequest, onChunk: (text: string) => void): Promise<DirectChatResult>;
  stop(requestId: string): Promise<boolean>;
  status(): Promise<DirectStatus>;
  configure(request: DirectConfigureRequest): Promise<DirectStatus>;
  session(request: DirectSessionRequest): Promise<DirectSessionView>;
}

export interface SecretVault {
  save(name: string, value: string): Promise<void>;
  load(name: string): Promise<string | null>;
  delete(name: string): Promise<void>;
}

export interface Platform {
  readonly kind: PlatformKind;
  /** Origin of the sync server this window talks to, e.g. `http://127.0.0.1:8787`. */
  serverUrl(): Promise<string>;
  /** Desktop only: points the app at another server (the window reloads). */
  setServerUrl(url: string): Promise<void>;
  readonly canChangeServer: boolean;
  /**
   * Where long-lived credentials live: the OS keychain on desktop; on the web the refresh token
   * is an httpOnly cookie the page never sees, so the vault there holds nothing sensitive.
   */
  readonly secrets: SecretVault;
  openExternal(url: string): Promise<void>;
  /** Present on desktop only; the web flavour has no direct mode. */
  readonly directLlm?: DirectLlmPort;
}
