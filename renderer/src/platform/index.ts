import { BRIDGE_GLOBAL, type PlazaBridge } from '../../../shared/platform/bridge.ts';
import { browserPlatform } from './browser.ts';
import { desktopPlatform } from './desktop.ts';
import type { Platform } from './platform.ts';

export type { Platform } from './platform.ts';

export function detectPlatform(host: Window): Platform {
  const bridge = (host as unknown as Record<string, PlazaBridge | undefined>)[BRIDGE_GLOBAL];
  if (bridge && bridge.bridgeVersion === 1) return desktopPlatform(bridge);
  return browserPlatform(host.location, host.localStorage, (url) => host.open(url, '_blank', 'noopener,noreferrer'));
}
