import type { AuditEvent } from '../../src/domain/backup-request';
import type { StoreContext } from './conformance';
import { newRequestId, T0, TEAM } from './fixtures';

export function describeAuditConformance(ctx: () => StoreContext): void {
  describe('audit trail', () => {
    it('returns a request’s events oldest first with their detail intact', async () => {
      const { store } = ctx();
      const id = newRequestId();
      const received: AuditEvent = {
        requestId: id,
        teamId: TEAM,
        at: T0,
        actor: 'U0ALICE01',
        kind: 'received',
        detail: {},
      };
      const call: AuditEvent = {
        requestId: id,
        teamId: TEAM,
        at: T0 + 2,
        actor: 'bot',
        kind: 'cloud_call',
        detail: { chunk: 1, volumes: ['a', 'b'], status: 200, nested: { ok: true, note: null, text: 'ü "q" <x>' } },
      };
      const decided: AuditEvent = {
        ...received,
        at: T0 + 1,
        actor: 'bot',
        kind: 'decided',
        detail: { verdict: 'allow' },
      };
      await store.audit.append(received);
      await store.audit.append(call);
      await store.audit.append(decided);
      await store.audit.append({ ...received, requestId: newRequestId() });
      expect(await store.audit.list(id)).toStrictEqual([received, decided, call]);
    });

    it('keeps identical events as separate entries (append, never overwrite)', async () => {
      const { store } = ctx();
      const id = newRequestId();
      const event: AuditEvent = {
        requestId: id,
        teamId: TEAM,
        at: T0,
        actor: 'bot',
        kind: 'message_posted',
        detail: { n: 1 },
      };
      await store.audit.append(event);
      await store.audit.append(event);
      expect(await store.audit.list(id)).toStrictEqual([event, event]);
    });

    it('keeps events of equal time in the order they were appended', async () => {
      const { store } = ctx();
      const id = newRequestId();
      const kinds = ['approved', 'started', 'cloud_call', 'finished'] as const;
      for (const kind of kinds)
        await store.audit.append({ requestId: id, teamId: TEAM, at: T0, actor: 'bot', kind, detail: {} });
      expect((await store.audit.list(id)).map((e) => e.kind)).toEqual(kinds);
    });
  });
}
