import { createContext, useContext, type ReactNode } from 'react';
import type { Platform } from '../platform/platform.ts';

const PlatformContext = createContext<Platform | null>(null);

export function PlatformProvider({ platform, children }: { readonly platform: Platform; readonly children: ReactNode }) {
  return <PlatformContext.Provider value={platform}>{children}</PlatformContext.Provider>;
}

export function usePlatform(): Platform {
  const platform = useContext(PlatformContext);
  if (!platform) throw new Error('usePlatform() outside <PlatformProvider>');
  return platform;
}
