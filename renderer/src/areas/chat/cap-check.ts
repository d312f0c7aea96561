/**
 * The client-side cap's check itself: the server's `planCall` on what this device knows (see
 * client-cap.ts). Separate because it brings the o200k tokenizer (about 2 MB, seconds to load on a
 * slow machine): the browser runs it in a worker (cap-worker.ts), tests call it directly.
 */
import { DEFAULT_GUARD_CONFIG, type SessionGuardState } from '../../../../shared/domain/llm/guards.ts';
import { DEFAULT_CALL_POLICY, planCall } from '../../../../shared/domain/llm/plan.ts';
import type { Refusal } from '../../../../shared/domain/llm/refusal.ts';
import { err, ok, type Result } from '../../../../shared/domain/result.ts';
import { budgetView, type CapContext } from './client-cap.ts';

export function checkCall(body: Record<string, unknown>, context: CapContext): Result<{ readonly sessionAfter: SessionGuardState }, Refusal> {
  const { limits, ledger } = budgetView(context.identity, context.rows, context.now);
  const planned = planCall(body, {
    prices: context.prices,
    limits,
    policy: context.policy ?? DEFAULT_CALL_POLICY,
    guards: context.guards ?? DEFAULT_GUARD_CONFIG,
    identity: context.identity,
    killSwitches: {},
    ledger,
    session: context.session,
    now: context.now,
  });
  return planned.ok ? ok({ sessionAfter: planned.value.sessionAfter }) : err(planned.error);
}
