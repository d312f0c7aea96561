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
} as const;

export type IpcChannel = (typeof IPC_CHANNELS)[keyof typeof IPC_CHANNELS];

export interface DesktopConfig {
  readonly serverUrl: string;
  readonly appVersion: string;
  readonly platform: string;
}

export interface PlazaBridge {
  readonly bridgeVersion: 1;
  getDesktopConfig(): Promise<DesktopConfig>;
  /** Changes the sync server; the window reloads so that its CSP allows the new server. */
  setServerUrl(url: string): Promise<DesktopConfig>;
  saveSecret(name: string, value: string): Promise<void>;
  loadSecret(name: string): Promise<string | null>;
  deleteSecret(name: string): Promise<void>;
  openExternal(url: string): Promise<void>;
}
