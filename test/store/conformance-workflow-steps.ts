import { step } from '../../src/domain/request-state';
import type { StoreContext } from './conformance';
import {
  allowedRequest,
  concurrently,
  createRequest,
  expectedRecord,
  MINUTE,
  newRequestId,
  outcome,
  pendingRequest,
  T0,
  TEAM,
} from './fixtures';

const STEP = { executionId: 'Fx0ABCDEF12', token: 'xwfp-1-2-3-secret' };

export function describeWorkflowStepConformance(ctx: () => StoreContext): void {
  describe('requests made by a workflow step', () => {
    it('stores the step’s execution and token with the request and reads them back exactly', async () => {
      const request = pendingRequest({ workflowStep: STEP });
      const created = await ctx().store.requests.create(request, { key: `k-${request.id}`, windowMs: MINUTE }, T0);
      expect(created).toStrictEqual({ created: true, request: expectedRecord(request, T0) });
      expect(await ctx().store.requests.get(request.id)).toStrictEqual(expectedRecord(request, T0));
    });

    it('keeps the step through every change of state, and a plain request has none', async () => {
      const request = allowedRequest({ workflowStep: STEP });
      const plain = allowedRequest();
      await createRequest(ctx().store, request);
      await createRequest(ctx().store, plain);
      const running = await ctx().store.requests.transition(request.id, step('allowed', 'running'), {}, T0 + 1);
      const done = await ctx().store.requests.transition(
        request.id,
        step('running', 'succeeded'),
        { outcome: outcome() },
        T0 + 2,
      );
      expect([running?.workflowStep, done?.workflowStep]).toEqual([STEP, STEP]);
      const listed = await ctx().store.queries.listRequests({ teamId: TEAM, since: 0, limit: 10 });
      expect(listed.find((r) => r.id === request.id)?.workflowStep).toStrictEqual(STEP);
      expect(listed.find((r) => r.id === plain.id)).not.toHaveProperty('workflowStep');
    });

    it('forgets the token once, across connections, writing the winner’s effects with it', async () => {
      const request = allowedRequest({ workflowStep: STEP });
      await createRequest(ctx().store, request);
      const stores = await ctx().both();
      const won = await concurrently(stores, 10, (s) =>
        s.requests.closeStep(request.id, T0 + 1, { messages: [{ kind: 'thread.note', note: 'step_unreachable' }] }),
      );
      expect(won.filter(Boolean)).toHaveLength(1);
      expect((await ctx().store.requests.get(request.id))?.workflowStep).toStrictEqual({
        executionId: STEP.executionId,
        token: undefined,
      });
      expect((await ctx().store.outbox.listOpen(request.id)).map((m) => m.intent)).toEqual([
        { kind: 'thread.note', note: 'step_unreachable' },
      ]);
    });

    it('forgets nothing for a request without a step, or an unknown one', async () => {
      const plain = allowedRequest();
      await createRequest(ctx().store, plain);
      expect(await ctx().store.requests.closeStep(plain.id, T0, { messages: [{ kind: 'root.update' }] })).toBe(false);
      expect(await ctx().store.requests.closeStep(newRequestId(), T0)).toBe(false);
      expect(await ctx().store.outbox.listOpen(plain.id)).toEqual([]);
    });

    it('queues and reads back the step’s completion in the outbox', async () => {
      const request = allowedRequest({ workflowStep: STEP });
      await createRequest(ctx().store, request);
      await ctx().store.outbox.enqueue(request.id, [{ kind: 'root.update' }, { kind: 'step.complete' }], T0);
      expect((await ctx().store.outbox.listOpen(request.id)).map((m) => m.intent)).toEqual([
        { kind: 'root.update' },
        { kind: 'step.complete' },
      ]);
    });
  });
}
