/**
 * A tiny referee for tests of the intent machinery (enabled with PLAZA_TEST_REFEREE=1):
 * - `test.echo`: accepted with its payload as the result;
 * - `test.add {amount}`: adds to a counter in the author's inbox, refusing past 1,000,000 —
 *   the counter must end up equal to the sum of accepted amounts (exactly once);
 * - `test.remind {delayMs}`: a deadline that, when it fires, counts in the author's inbox.
 */
import { z } from 'zod';
import { roomNames } from '../../../shared/sync/rooms.ts';
import type { Referee } from '../intents/referee.ts';

const addSchema = z.strictObject({ amount: z.number().int().min(-1000).max(1000) });
const remindSchema = z.strictObject({ delayMs: z.number().int().min(0).max(86_400_000) });
export const TEST_COUNTER_LIMIT = 1_000_000;

export function createTestReferee(): Referee {
  return {
    name: 'test',
    intentKinds: ['test.echo', 'test.add', 'test.remind'],
    roomsFor: () => [],
    batchable: () => true,
    decide(intent, author, context) {
      const inbox = roomNames.inbox(author.tenant, author.user);
      switch (intent.kind) {
        case 'test.echo':
          return { status: 'accepted', result: intent.payload };
        case 'test.add': {
          const parsed = addSchema.safeParse(intent.payload);
          if (!parsed.success) return { status: 'rejected', reason: { code: 'invalid', message: 'amount must be an integer between -1000 and 1000' } };
          const state = context.doc(inbox).getMap<number>('state');
          const next = (state.get('counter') ?? 0) + parsed.data.amount;
          if (Math.abs(next) > TEST_COUNTER_LIMIT) return { status: 'rejected', reason: { code: 'limit', message: 'the counter would pass its limit' } };
          context.write(inbox, (doc) => doc.getMap('state').set('counter', next));
          return { status: 'accepted', result: { counter: next } };
        }
        case 'test.remind': {
          const parsed = remindSchema.safeParse(intent.payload);
          if (!parsed.success) return { status: 'rejected', reason: { code: 'invalid', message: 'delayMs must be 0–86,400,000' } };
          context.setDeadline({ id: `remind:${author.user}:${intent.id}`, kind: 'remind', fireAt: context.now + parsed.data.delayMs, payload: { user: author.user } });
          return { status: 'accepted' };
        }
        default:
          return { status: 'rejected', reason: { code: 'unknown', message: 'unknown test intent' } };
      }
    },
    deadlineRooms: (deadline) => [roomNames.inbox(deadline.tenant, (deadline.payload as { user: string }).user)],
    onDeadline(deadline, context) {
      const inbox = roomNames.inbox(deadline.tenant, (deadline.payload as { user: string }).user);
      const state = context.doc(inbox).getMap<number>('state');
      context.write(inbox, (doc) => doc.getMap('state').set('reminders', (state.get('reminders') ?? 0) + 1));
    },
  };
}
