/**
 * The main-process side of the bridge. Every handler checks that the message comes from the app's
 * own top-level frame and validates its arguments before doing anything.
 */
import type { IpcMainInvokeEvent } from 'electron';
import { z } from 'zod';
import { IPC_CHANNELS, type DesktopConfig, type IpcChannel } from '../../shared/platform/bridge.ts';
import { externalUrlSchema, secretNameSchema, secretValueSchema, serverUrlSchema } from '../../shared/platform/bridge-schemas.ts';
import { isTrustedSender } from './security.ts';

export class IpcRejection extends Error {
  override readonly name = 'IpcRejection';
}

export interface IpcRegistrar {
  handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown): void;
}

export interface BridgeServices {
  readonly appOrigin: () => string;
  getDesktopConfig(): Promise<DesktopConfig>;
  setServerUrl(url: string): Promise<DesktopConfig>;
  saveSecret(name: string, value: string): Promise<void>;
  loadSecret(name: string): Promise<string | null>;
  deleteSecret(name: string): Promise<void>;
  openExternal(url: string): Promise<void>;
}

type Handler = { args: z.ZodType<unknown[]>; run: (args: never) => Promise<unknown> };

function handler<const T extends unknown[]>(args: z.ZodType<T>, run: (args: T) => Promise<unknown>): Handler {
  return { args: args as z.ZodType<unknown[]>, run: run as (args: never) => Promise<unknown> };
}

export function bridgeHandlers(services: BridgeServices): Record<IpcChannel, Handler> {
  return {
    [IPC_CHANNELS.getDesktopConfig]: handler(z.tuple([]), () => services.getDesktopConfig()),
    [IPC_CHANNELS.setServerUrl]: handler(z.tuple([serverUrlSchema]), ([url]) => services.setServerUrl(url)),
    [IPC_CHANNELS.saveSecret]: handler(z.tuple([secretNameSchema, secretValueSchema]), ([name, value]) => services.saveSecret(name, value)),
    [IPC_CHANNELS.loadSecret]: handler(z.tuple([secretNameSchema]), ([name]) => services.loadSecret(name)),
    [IPC_CHANNELS.deleteSecret]: handler(z.tuple([secretNameSchema]), ([name]) => services.deleteSecret(name)),
    [IPC_CHANNELS.openExternal]: handler(z.tuple([externalUrlSchema]), ([url]) => services.openExternal(url)),
  };
}

export function registerBridge(ipc: IpcRegistrar, services: BridgeServices): void {
  for (const [channel, { args, run }] of Object.entries(bridgeHandlers(services))) {
    ipc.handle(channel, async (event, ...raw) => {
      if (!isTrustedSender(event.senderFrame, services.appOrigin())) {
        throw new IpcRejection(`${channel}: refused, the sender is not the app's own page`);
      }
      const parsed = args.safeParse(raw);
      if (!parsed.success) {
        throw new IpcRejection(`${channel}: invalid arguments: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
      }
      return run(parsed.data as never);
    });
  }
}
