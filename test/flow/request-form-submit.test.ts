import type { RequestId } from '../../src/domain/ids';
import { DOUBLE_SUBMIT_WINDOW_MS } from '../../src/flow/record-request';
import { DRAFT_TTL_MS, previewForm, submitForm } from '../../src/flow/request-form';
import type { FormSelection } from '../../src/flow/request-form';
import type { FlowFixture } from '../support/flow-fixture';
import { actor, stored, useFlowFixture } from '../support/flow-fixture';
import {
  ALICE,
  BROKEN,
  DAILY_7D,
  DAVE,
  DB_DATA_1,
  DB_DATA_2,
  GENERAL,
  INCIDENT,
  PROD,
  TEAM,
} from '../support/flow-world';
import { openDraft, openShortcutDraft, selection } from '../support/form-draft';

const COMPLETE = { policyId: DAILY_7D, volumeIds: [DB_DATA_1] };

function submit(f: FlowFixture, id: RequestId | undefined, fields: Partial<FormSelection>, userId = ALICE) {
  return submitForm(f.deps, actor(userId), id, selection(fields));
}

const allRequests = (f: FlowFixture) => f.store.queries.listRequests({ teamId: TEAM, since: 0, limit: 10 });

describe('submitForm', () => {
  const fixture = useFlowFixture();

  it('records the request under the draft’s id and carries it on', async () => {
    const f = fixture();
    const id = await openDraft(f, ALICE);
    const submitted = await submit(f, id, { ...COMPLETE, reason: 'INC-9' });
    expect(submitted?.outcome).toMatchObject({
      kind: 'accepted',
      request: { id, requesterId: ALICE, channel: { id: INCIDENT }, reason: 'INC-9', state: 'allowed' },
    });
    await f.deps.work.idle();
    expect((await stored(f, id)).state).toBe('succeeded');
    expect(f.deliverer.kinds(id)[0]).toBe('root.post');
  });

  it('records a form once: a second submit finds the first, even after the double-submit window', async () => {
    const f = fixture();
    const id = await openDraft(f, ALICE);
    const [first, second] = await Promise.all([submit(f, id, COMPLETE), submit(f, id, COMPLETE)]);
    expect([first?.outcome.kind, second?.outcome.kind].sort()).toEqual(['accepted', 'duplicate']);
    f.clock.advance(DOUBLE_SUBMIT_WINDOW_MS + 1);
    expect(await submit(f, id, COMPLETE)).toMatchObject({ outcome: { kind: 'duplicate', existing: { id } } });
    await f.deps.work.idle();
    expect(f.cloud.count('associate')).toBe(1);
    expect(await allRequests(f)).toHaveLength(1);
  });

  it('gives nothing for another person’s draft and records nothing', async () => {
    const f = fixture();
    const id = await openDraft(f, DAVE);
    expect(await submit(f, id, COMPLETE, ALICE)).toBeUndefined();
    expect(await allRequests(f)).toEqual([]);
    expect(f.cloud.calls).toEqual([]);
  });

  it('gives nothing for an expired draft', async () => {
    const f = fixture();
    const id = await openDraft(f, ALICE);
    f.clock.advance(DRAFT_TTL_MS);
    expect(await submit(f, id, COMPLETE)).toBeUndefined();
  });

  it('re-reads the cloud on submit: a policy deleted since the preview is noticed', async () => {
    const f = fixture();
    const id = await openDraft(f, ALICE);
    expect((await previewForm(f.deps, actor(ALICE), id, selection(COMPLETE)))?.preview.kind).toBe('checked');
    const prod = f.cloud.project(PROD);
    prod.policies = prod.policies.filter((p) => p.id !== DAILY_7D);
    const submitted = await submit(f, id, COMPLETE);
    expect(submitted?.outcome).toMatchObject({ kind: 'invalid', problems: [{ field: 'policy' }] });
    expect(await allRequests(f)).toEqual([]);
  });

  it('answers what is missing, and records nothing', async () => {
    const f = fixture();
    const id = await openDraft(f, ALICE);
    expect((await submit(f, id, { policyId: DAILY_7D }))?.outcome).toEqual({
      kind: 'incomplete',
      missing: ['volumes'],
    });
    expect(await allRequests(f)).toEqual([]);
  });

  it('records without the picked volumes that cannot be added', async () => {
    const f = fixture();
    const id = await openDraft(f, ALICE);
    const submitted = await submit(f, id, { policyId: DAILY_7D, volumeIds: [DB_DATA_1, BROKEN, DB_DATA_2] });
    const request = submitted?.outcome.kind === 'accepted' ? submitted.outcome.request : undefined;
    expect(request?.volumes.map((v) => v.id)).toEqual([DB_DATA_1, DB_DATA_2]);
    expect((await f.store.audit.list(id))[0]?.detail).toMatchObject({ excluded: [BROKEN] });
  });

  it('records a shortcut form in the picked channel, for a person in it', async () => {
    const f = fixture();
    const id = await openShortcutDraft(f, ALICE);
    const submitted = await submit(f, id, { ...COMPLETE, channelId: GENERAL });
    expect(submitted?.outcome).toMatchObject({ kind: 'accepted', request: { channel: { id: GENERAL } } });
  });

  it('refuses a shortcut form for a channel the person is not in', async () => {
    const f = fixture();
    const id = await openShortcutDraft(f, DAVE);
    const submitted = await submit(f, id, { ...COMPLETE, channelId: GENERAL }, DAVE);
    expect(submitted?.outcome).toMatchObject({ kind: 'invalid', problems: [{ field: 'channel' }] });
    expect(await allRequests(f)).toEqual([]);
  });

  it('records a request that needs approval and posts its card, without running it', async () => {
    const f = fixture();
    const id = await openDraft(f, DAVE);
    expect((await submit(f, id, COMPLETE, DAVE))?.outcome).toMatchObject({ request: { state: 'pending_approval' } });
    await f.deps.work.idle();
    expect(f.deliverer.kinds(id)).toEqual(['root.post', 'thread.note:waiting', 'card.post']);
    expect(f.cloud.count('associate')).toBe(0);
  });
});
