/**
 * The port through which the renderer reaches its host. The renderer never imports Electron:
 * the desktop adapter wraps the preload bridge, the browser adapter serves the web flavour and
 * the tests.
 */
export type PlatformKind = 'desktop' | 'web';

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
}
