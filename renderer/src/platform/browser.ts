import type { Platform, SecretVault } from './platform.ts';

/** Non-sensitive per-origin storage; real credentials on the web are httpOnly cookies. */
function sessionVault(storage: Storage): SecretVault {
  const key = (name: string) => `plaza.secret.${name}`;
  return {
    save: async (name, value) => storage.setItem(key(name), value),
    load: async (name) => storage.getItem(key(name)),
    delete: async (name) => storage.removeItem(key(name)),
  };
}

export function browserPlatform(location: Location, storage: Storage, open: (url: string) => void): Platform {
  return {
    kind: 'web',
    canChangeServer: false,
    serverUrl: async () => location.origin,
    setServerUrl: async () => {
      throw new Error('the web flavour always uses the server that served it');
    },
    secrets: sessionVault(storage),
    openExternal: async (url) => {
      if (new URL(url).protocol !== 'https:') throw new Error('only https links open outside the app');
      open(url);
    },
  };
}
