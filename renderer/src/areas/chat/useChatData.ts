/**
 * What the chat screens read, all from RxDB (one reactive source of truth): the thread list, a
 * thread's messages and meta, the spend meter of the inbox. Plus the models and their prices,
 * which come from the server (or from direct mode) and are kept for the session of the page.
 */
import { useEffect, useMemo, useState } from 'react';
import { map } from 'rxjs';
import type { ModelsResponse } from '../../../../shared/api/llm.ts';
import { DEFAULT_PRICES } from '../../../../shared/domain/llm/default-prices.ts';
import type { PriceTable } from '../../../../shared/domain/llm/prices.ts';
import { compareMessages, type ChatMessageRecord, type ChatMeta } from '../../../../shared/sync/layouts/chat.ts';
import { usePlatform } from '../../app/PlatformContext.tsx';
import { useObservable, useRuntime } from '../../app/RuntimeContext.tsx';
import { chatMetaKvId, type ChatThreadRow } from '../../engine/projections/chat.ts';
import { LLM_INBOX_KV_ID, type LlmInboxRecord } from '../../engine/projections/llm.ts';
import { priceTableFromModels } from './client-cap.ts';
import { LlmApi } from './llm-api.ts';

/**
 * A record's `data` as plain JSON. RxDB hands out nested fields as proxies; those cannot be posted
 * to the cap's worker (structured clone), so the UI never holds them.
 */
function plain<T>(row: { toJSON(): { data: unknown } }): T {
  return row.toJSON().data as T;
}

export function useThreads(): readonly ChatThreadRow[] | undefined {
  return useObservable((engine) => engine.db.chat_threads.find({ sort: [{ updatedAt: 'desc' }] }).$.pipe(map((rows) => rows.map((row) => plain<ChatThreadRow>(row)))), []);
}

export function useMessages(threadId: string | null): readonly ChatMessageRecord[] | undefined {
  return useObservable(
    (engine) =>
      threadId === null
        ? null
        : engine.db.chat_messages
            // `thread` and `at` are fields of this collection's schema (collections.ts) beyond the shared record type.
            .find({ selector: { thread: threadId } as never, sort: [{ at: 'asc' } as never] })
            .$.pipe(map((rows) => rows.map((row) => plain<ChatMessageRecord>(row)).sort(compareMessages))),
    [threadId],
  );
}

export function useThreadMeta(threadId: string | null): ChatMeta | null | undefined {
  return useObservable((engine) => (threadId === null ? null : engine.db.kv.findOne(chatMetaKvId(threadId)).$.pipe(map((row) => (row ? plain<ChatMeta>(row) : null)))), [threadId]);
}

export function useLlmInbox(): LlmInboxRecord | null | undefined {
  return useObservable((engine) => engine.db.kv.findOne(LLM_INBOX_KV_ID).$.pipe(map((row) => (row ? plain<LlmInboxRecord>(row) : null))), []);
}

/** The HTTP client of the AI routes, with the session's fresh token. */
export function useLlmApi(): LlmApi {
  const runtime = useRuntime();
  return useMemo(() => new LlmApi({ serverUrl: runtime.session.api.baseUrl, token: () => runtime.session.freshToken() }), [runtime]);
}

export interface ModelChoice {
  readonly id: string;
  readonly label: string;
  readonly priceText: string;
}

export type ModelsState =
  | { readonly status: 'loading' }
  | { readonly status: 'error'; readonly message: string }
  | { readonly status: 'ready'; readonly models: readonly ModelChoice[]; readonly prices: PriceTable };

const cache = new Map<string, { models: readonly ModelChoice[]; prices: PriceTable }>();

function fromResponse(response: ModelsResponse): { models: readonly ModelChoice[]; prices: PriceTable } | string {
  const prices = priceTableFromModels(response);
  if (!prices.ok) return prices.error.message;
  return { models: response.data.map((entry) => ({ id: entry.id, label: entry.plaza.label, priceText: entry.plaza.priceText })), prices: prices.value };
}

/**
 * The models to pick from, with prices: the server's `/v1/models` (kept once loaded), or in direct
 * mode the main process's list priced with the table it uses (Plaza's defaults).
 */
export function useModels(mode: 'proxy' | 'direct', online: boolean): ModelsState & { retry(): void } {
  const api = useLlmApi();
  const platform = usePlatform();
  const key = mode === 'proxy' ? `proxy|${api.baseUrl}` : 'direct';
  const [attempt, setAttempt] = useState(0);
  const [result, setResult] = useState<{ key: string; attempt: number; value: ModelsState } | null>(null);
  const cached = cache.get(key);
  const blocked = !cached && mode === 'proxy' && !online;
  useEffect(() => {
    if (cache.has(key) || blocked) return undefined;
    let live = true;
    const load = async () => {
      if (mode === 'direct') {
        const status = await platform.directLlm!.status();
        return { models: status.models, prices: DEFAULT_PRICES };
      }
      const loaded = fromResponse(await api.models());
      if (typeof loaded === 'string') throw new Error(loaded);
      return loaded;
    };
    load().then(
      (loaded) => {
        cache.set(key, loaded);
        if (live) setResult({ key, attempt, value: { status: 'ready', ...loaded } });
      },
      (error: unknown) => live && setResult({ key, attempt, value: { status: 'error', message: (error as Error).message } }),
    );
    return () => {
      live = false;
    };
  }, [api, platform, key, mode, blocked, attempt]);
  const retry = () => setAttempt((count) => count + 1);
  if (cached) return { status: 'ready', ...cached, retry };
  if (blocked) return { status: 'error', message: 'The models and their prices load when you are online.', retry };
  if (result && result.key === key && result.attempt === attempt) return { ...result.value, retry };
  return { status: 'loading', retry };
}
