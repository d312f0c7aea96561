/**
 * The two places where the policy meets the provider's wire format: the body sent upstream (the
 * clamp made binding, the usage report forced on) and the usage report read back.
 */
import { z } from 'zod';
import type { CallPlan } from './plan.ts';
import type { TokenUsage } from './prices.ts';

/** Request fields that never leave Plaza, and limits the plan replaces. */
const DROPPED = new Set(['plaza_session_id', 'plaza_human_input', 'max_tokens', 'max_completion_tokens', 'stream', 'stream_options', 'n', 'model']);

/**
 * The JSON body for the upstream `/v1/chat/completions`: the allowed fields as sent, minus Plaza's,
 * with `max_completion_tokens` set to the clamp (`max_tokens` is removed: reasoning models refuse
 * it, and the clamp must be the only limit), `n` only when above 1, and for a stream
 * `stream_options.include_usage: true` so that a completed stream always reports its usage.
 */
export function upstreamRequestBody(plan: CallPlan): Record<string, unknown> {
  const body: Record<string, unknown> = { model: plan.model.id };
  for (const [key, value] of Object.entries(plan.request)) {
    if (!DROPPED.has(key) && value !== undefined && value !== null) body[key] = value;
  }
  body.max_completion_tokens = plan.clampedMaxTokens;
  if (plan.choices > 1) body.n = plan.choices;
  if (plan.stream) {
    body.stream = true;
    body.stream_options = { ...(plan.request.stream_options ?? {}), include_usage: true };
  }
  return body;
}

const count = z.int().min(0).max(1_000_000_000);

/** OpenAI's `usage` object; extra fields are ignored, missing details count as zero. */
export const upstreamUsageSchema = z.object({
  prompt_tokens: count,
  completion_tokens: count,
  total_tokens: count.optional(),
  prompt_tokens_details: z.object({ cached_tokens: count.nullish() }).nullish(),
  completion_tokens_details: z.object({ reasoning_tokens: count.nullish() }).nullish(),
});

/**
 * Reads a usage report, or undefined when it is absent or malformed: the caller then settles at
 * the full reservation. A cached count above the prompt is capped at the prompt.
 */
export function parseUpstreamUsage(raw: unknown): TokenUsage | undefined {
  const parsed = upstreamUsageSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const usage = parsed.data;
  const cached = usage.prompt_tokens_details?.cached_tokens ?? 0;
  return { promptTokens: usage.prompt_tokens, cachedPromptTokens: Math.min(cached, usage.prompt_tokens), completionTokens: usage.completion_tokens };
}
