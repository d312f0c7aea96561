/**
 * The sandboxed preload: exposes the named bridge functions and nothing else. Bundled as one
 * CommonJS file, because a sandboxed preload cannot load ES modules or other files.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { BRIDGE_GLOBAL, IPC_CHANNELS, type DesktopConfig, type PlazaBridge } from '../../shared/platform/bridge.ts';

const bridge = {
  bridgeVersion: 1,
  getDesktopConfig: () => ipcRenderer.invoke(IPC_CHANNELS.getDesktopConfig) as Promise<DesktopConfig>,
  setServerUrl: (url: string) => ipcRenderer.invoke(IPC_CHANNELS.setServerUrl, url) as Promise<DesktopConfig>,
  saveSecret: (name: string, value: string) => ipcRenderer.invoke(IPC_CHANNELS.saveSecret, name, value) as Promise<void>,
  loadSecret: (name: string) => ipcRenderer.invoke(IPC_CHANNELS.loadSecret, name) as Promise<string | null>,
  deleteSecret: (name: string) => ipcRenderer.invoke(IPC_CHANNELS.deleteSecret, name) as Promise<void>,
  openExternal: (url: string) => ipcRenderer.invoke(IPC_CHANNELS.openExternal, url) as Promise<void>,
} as const satisfies PlazaBridge;

contextBridge.exposeInMainWorld(BRIDGE_GLOBAL, bridge);
