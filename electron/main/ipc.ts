/**
 * The main-process side of the bridge. Every handler checks that the message comes from the app's
 * own top-level frame and validates its arguments before doing anything.
 */
import type { IpcMainInvokeEvent } from 'electron';
import { z } from 'zod';
import {
  IPC_CHANNELS,
  IPC_EVENTS,
  type DesktopConfig,
  type DirectChatRequest,
  type DirectChatResult,
  type DirectConfigureRequest,
  type DirectSessionRequest,
  type DirectSessionView,
  type DirectStatus,
  type IpcChannel,
} from '../../shared/platform/bridge.ts';
import {
  directChatRequestSchema,
  directConfigureSchema,
  directSessionRequestSchema,
  externalUrlSchema,
  llmRequestIdSchema,
  secretNameSchema,
  secretValueSchema,
  serverUrlSchema,
} from '../../shared/platform/bridge-schemas.ts';
import type { ChunkSink } from './llm/direct.ts';
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
  /** Direct mode (electron/main/llm/direct.ts): the answer streams to `sink`. */
  llmChat(request: DirectChatRequest, sink: ChunkSink): Promise<DirectChatResult>;
  llmStop(requestId: string): Promise<boolean>;
  llmDirectStatus(): Promise<DirectStatus>;
  llmDirectConfigure(request: DirectConfigureRequest): Promise<DirectStatus>;
  llmDirectSession(request: DirectSessionRequest): Promise<DirectSessionView>;
}

/** The window that sent a message, as far as a handler needs it. */
export interface IpcSender {
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
  once(event: 'destroyed', listener: () => void): unknown;
}

type Handler = { args: z.ZodType<unknown[]>; run: (args: never, sender: IpcSender | undefined) => Promise<unknown> };

function handler<const T extends unknown[]>(args: z.ZodType<T>, run: (args: T, sender: IpcSender | undefined) => Promise<unknown>): Handler {
  return { args: args as z.ZodType<unknown[]>, run: run as (args: never, sender: IpcSender | undefined) => Promise<unknown> };
}

/** Sends a direct-mode answer back to the window that asked, only while it exists. */
function chunkSink(sender: IpcSender | undefined, requestId: string): ChunkSink {
  return {
    send: (text) => {
      if (sender && !sender.isDestroyed()) sender.send(IPC_EVENTS.llmChunk, requestId, text);
    },
    onGone: (listener) => {
      if (!sender) return;
      if (sender.isDestroyed()) listener();
      else sender.once('destroyed', listener);
    },
  };
}

export function bridgeHandlers(services: BridgeServices): Record<IpcChannel, Handler> {
  return {
    [IPC_CHANNELS.getDesktopConfig]: handler(z.tuple([]), () => services.getDesktopConfig()),
    [IPC_CHANNELS.setServerUrl]: handler(z.tuple([serverUrlSchema]), ([url]) => services.setServerUrl(url)),
    [IPC_CHANNELS.saveSecret]: handler(z.tuple([secretNameSchema, secretValueSchema]), ([name, value]) => services.saveSecret(name, value)),
    [IPC_CHANNELS.loadSecret]: handler(z.tuple([secretNameSchema]), ([name]) => services.loadSecret(name)),
    [IPC_CHANNELS.deleteSecret]: handler(z.tuple([secretNameSchema]), ([name]) => services.deleteSecret(name)),
    [IPC_CHANNELS.openExternal]: handler(z.tuple([externalUrlSchema]), ([url]) => services.openExternal(url)),
    [IPC_CHANNELS.llmChat]: handler(z.tuple([directChatRequestSchema]), ([request], sender) => services.llmChat(request, chunkSink(sender, request.requestId))),
    [IPC_CHANNELS.llmStop]: handler(z.tuple([llmRequestIdSchema]), ([requestId]) => services.llmStop(requestId)),
    [IPC_CHANNELS.llmDirectStatus]: handler(z.tuple([]), () => services.llmDirectStatus()),
    [IPC_CHANNELS.llmDirectConfigure]: handler(z.tuple([directConfigureSchema]), ([request]) => services.llmDirectConfigure(request as DirectConfigureRequest)),
    [IPC_CHANNELS.llmDirectSession]: handler(z.tuple([directSessionRequestSchema]), ([request]) => services.llmDirectSession(request)),
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
      return run(parsed.data as never, (event as { sender?: IpcSender }).sender);
    });
  }
}
