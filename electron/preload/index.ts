/**
 * The sandboxed preload: exposes the named bridge functions and nothing else. Bundled as one
 * CommonJS file, because a sandboxed preload cannot load ES modules or other files.
 */
import { contextBridge, ipcRenderer } from 'electron';
import {
  BRIDGE_GLOBAL,
  IPC_CHANNELS,
  IPC_EVENTS,
  type DesktopConfig,
  type DirectChatRequest,
  type DirectChatResult,
  type DirectConfigureRequest,
  type DirectSessionRequest,
  type DirectSessionView,
  type DirectStatus,
  type PlazaBridge,
} from '../../shared/platform/bridge.ts';

const bridge = {
  bridgeVersion: 1,
  getDesktopConfig: () => ipcRenderer.invoke(IPC_CHANNELS.getDesktopConfig) as Promise<DesktopConfig>,
  setServerUrl: (url: string) => ipcRenderer.invoke(IPC_CHANNELS.setServerUrl, url) as Promise<DesktopConfig>,
  saveSecret: (name: string, value: string) => ipcRenderer.invoke(IPC_CHANNELS.saveSecret, name, value) as Promise<void>,
  loadSecret: (name: string) => ipcRenderer.invoke(IPC_CHANNELS.loadSecret, name) as Promise<string | null>,
  deleteSecret: (name: string) => ipcRenderer.invoke(IPC_CHANNELS.deleteSecret, name) as Promise<void>,
  openExternal: (url: string) => ipcRenderer.invoke(IPC_CHANNELS.openExternal, url) as Promise<void>,
  // Chunks of this request only reach `onChunk`; the listener goes away when the call ends.
  llmChat: (request: DirectChatRequest, onChunk: (text: string) => void) => {
    const listener = (_event: unknown, requestId: unknown, text: unknown) => {
      if (requestId === request.requestId && typeof text === 'string') onChunk(text);
    };
    ipcRenderer.on(IPC_EVENTS.llmChunk, listener);
    return (ipcRenderer.invoke(IPC_CHANNELS.llmChat, request) as Promise<DirectChatResult>).finally(() => ipcRenderer.removeListener(IPC_EVENTS.llmChunk, listener));
  },
  llmStop: (requestId: string) => ipcRenderer.invoke(IPC_CHANNELS.llmStop, requestId) as Promise<boolean>,
  llmDirectStatus: () => ipcRenderer.invoke(IPC_CHANNELS.llmDirectStatus) as Promise<DirectStatus>,
  llmDirectConfigure: (request: DirectConfigureRequest) => ipcRenderer.invoke(IPC_CHANNELS.llmDirectConfigure, request) as Promise<DirectStatus>,
  llmDirectSession: (request: DirectSessionRequest) => ipcRenderer.invoke(IPC_CHANNELS.llmDirectSession, request) as Promise<DirectSessionView>,
} as const satisfies PlazaBridge;

contextBridge.exposeInMainWorld(BRIDGE_GLOBAL, bridge);
