/**
 * The assistant of the signed-in identity, one per transport, created once and kept outside React:
 * its local session states (what the client-side guards run on) must outlive a screen change.
 */
import { useMemo } from 'react';
import { usePlatform } from '../../app/PlatformContext.tsx';
import { useEngine } from '../../app/RuntimeContext.tsx';
import type { EngineHandle } from '../../app/runtime.ts';
import { randomId } from '../../engine/ids.ts';
import { Assistant } from './assistant.ts';
import { workerCapChecker } from './cap-checker.ts';
import { directTransport, proxyTransport } from './transport.ts';
import { useLlmApi } from './useChatData.ts';

const assistants = new WeakMap<EngineHandle, Map<string, Assistant>>();

export function useAssistant(mode: 'proxy' | 'direct'): Assistant | null {
  const engine = useEngine();
  const api = useLlmApi();
  const platform = usePlatform();
  return useMemo(() => {
    if (!engine) return null;
    if (mode === 'direct' && !platform.directLlm) return null;
    const byMode = assistants.get(engine) ?? new Map<string, Assistant>();
    assistants.set(engine, byMode);
    const key = `${mode}|${api.baseUrl}`;
    let assistant = byMode.get(key);
    if (!assistant) {
      assistant = new Assistant({
        transport: mode === 'direct' ? directTransport(platform.directLlm!) : proxyTransport(api),
        tenantId: mode === 'direct' ? 'local' : engine.identity.tenant.id,
        userId: mode === 'direct' ? 'local' : engine.identity.user.id,
        now: () => Math.round(engine.client.serverNow()),
        newRequestId: () => randomId('req'),
        check: workerCapChecker,
      });
      byMode.set(key, assistant);
    }
    return assistant;
  }, [engine, api, platform, mode]);
}

const directSessions = new WeakMap<EngineHandle, Map<string, string>>();

/** Direct mode: the session of each thread lives with this device's ledger, not in the synced thread. */
export function directSessionOf(engine: EngineHandle, threadId: string): string | null {
  return directSessions.get(engine)?.get(threadId) ?? null;
}

export function setDirectSession(engine: EngineHandle, threadId: string, sessionId: string): void {
  const byThread = directSessions.get(engine) ?? new Map<string, string>();
  byThread.set(threadId, sessionId);
  directSessions.set(engine, byThread);
}
