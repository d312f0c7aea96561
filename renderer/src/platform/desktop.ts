import type { PlazaBridge } from '../../../shared/platform/bridge.ts';
import type { Platform } from './platform.ts';

export function desktopPlatform(bridge: PlazaBridge): Platform {
  return {
    kind: 'desktop',
    canChangeServer: true,
    serverUrl: async () => (await bridge.getDesktopConfig()).serverUrl,
    setServerUrl: async (url) => {
      await bridge.setServerUrl(url);
    },
    secrets: {
      save: (name, value) => bridge.saveSecret(name, value),
      load: (name) => bridge.loadSecret(name),
      delete: (name) => bridge.deleteSecret(name),
    },
    openExternal: (url) => bridge.openExternal(url),
    directLlm: {
      chat: (request, onChunk) => bridge.llmChat(request, onChunk),
      stop: (requestId) => bridge.llmStop(requestId),
      status: () => bridge.llmDirectStatus(),
      configure: (request) => bridge.llmDirectConfigure(request),
      session: (request) => bridge.llmDirectSession(request),
    },
  };
}
