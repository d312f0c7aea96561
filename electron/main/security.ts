/**
 * The security policy of every Plaza window. Kept apart from the wiring in `index.ts` so that each
 * rule is a plain function a unit test can drive with a fake `webContents`.
 */
import type { Session, WebContents, WebFrameMain, WebPreferences } from 'electron';

/** The literal preferences every window gets; tests assert on this object. */
export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
  };
}

export function originOf(value: string): string | null {
  try {
    const url = new URL(value);
    // `URL.origin` is the string "null" for non-special schemes that are not registered as
    // standard; compare scheme + host instead so that app://plaza is a real origin.
    return `${url.protocol}//${url.host}`;
  } catch {
    return null;
  }
}

export function isSameOrigin(candidate: string, appOrigin: string): boolean {
  const origin = originOf(candidate);
  return origin !== null && origin === originOf(appOrigin);
}

/** https links on this list open in the user's browser; everything else is simply refused. */
export function isAllowedExternalLink(value: string, allowedHosts: readonly string[]): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && allowedHosts.includes(url.hostname);
  } catch {
    return false;
  }
}

export interface HardeningOptions {
  readonly appOrigin: string;
  readonly externalHosts: readonly string[];
  readonly openExternal: (url: string) => Promise<void> | void;
}

type HardenableContents = Pick<WebContents, 'on' | 'setWindowOpenHandler'>;

export function hardenWebContents(contents: HardenableContents, options: HardeningOptions): void {
  contents.on('will-navigate', (event, url) => {
    if (!isSameOrigin(url, options.appOrigin)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isSameOrigin(url, options.appOrigin)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternalLink(url, options.externalHosts)) void options.openExternal(url);
    return { action: 'deny' };
  });
}

type PermissionSession = Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler'>;

export function denyAllPermissions(session: PermissionSession): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
}

/** An IPC message is trusted only from a top-level frame showing the app's own origin. */
export function isTrustedSender(frame: Pick<WebFrameMain, 'url' | 'parent'> | null | undefined, appOrigin: string): boolean {
  if (!frame) return false;
  if (frame.parent !== null) return false;
  return isSameOrigin(frame.url, appOrigin);
}
