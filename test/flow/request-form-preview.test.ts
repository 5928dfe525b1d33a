import type { RequestId } from '../../src/domain/ids';
import { DRAFT_TTL_MS, previewForm } from '../../src/flow/request-form';
import type { FormPreview } from '../../src/flow/request-form';
import type { FlowFixture } from '../support/flow-fixture';
import { actor, useFlowFixture } from '../support/flow-fixture';
import {
  ALICE,
  BROKEN,
  CRITICAL_HOURLY,
  DAILY_7D,
  DAVE,
  DB_01,
  DB_DATA_1,
  GENERAL,
  INCIDENT,
  NO_BOT,
  OTHER_TEAM,
} from '../support/flow-world';
import { openDraft, openShortcutDraft, selection } from '../support/form-draft';

async function preview(f: FlowFixture, id: RequestId, fields: Parameters<typeof selection>[0]): Promise<FormPreview> {
  const form = await previewForm(f.deps, actor(DAVE), id, selection(fields));
  if (form === undefined) throw new Error('no preview');
  return form;
}

describe('previewForm', () => {
  const fixture = useFlowFixture();

  it('previews only the asker’s own draft: anyone else’s, another workspace’s or an unknown one gives nothing', async () => {
    const f = fixture();
    const id = await openDraft(f, DAVE);
    expect(await previewForm(f.deps, actor(DAVE), id, selection())).toBeDefined();
    expect(await previewForm(f.deps, actor(ALICE), id, selection())).toBeUndefined();
    expect(await previewForm(f.deps, actor(DAVE, OTHER_TEAM), id, selection())).toBeUndefined();
    expect(await previewForm(f.deps, actor(DAVE), 'r-zzzzzzzz' as RequestId, selection())).toBeUndefined();
    expect(await previewForm(f.deps, actor(DAVE), undefined, selection())).toBeUndefined();
  });

  it('gives nothing once the draft expired', async () => {
    const f = fixture();
    const id = await openDraft(f);
    f.clock.advance(DRAFT_TTL_MS - 1);
    expect(await previewForm(f.deps, actor(DAVE), id, selection())).toBeDefined();
    f.clock.advance(1);
    expect(await previewForm(f.deps, actor(DAVE), id, selection())).toBeUndefined();
  });

  it('says which fields are still missing', async () => {
    const f = fixture();
    const form = await preview(f, await openDraft(f), { policyId: DAILY_7D });
    expect(form.preview).toEqual({ kind: 'incomplete', missing: ['volumes'] });
  });

  it('previews a complete form with the decision and who would approve', async () => {
    const f = fixture();
    const form = await preview(f, await openDraft(f), { policyId: DAILY_7D, volumeIds: [DB_DATA_1] });
    expect(form.preview).toMatchObject({ kind: 'checked', checked: { decision: { verdict: 'require_approval' } } });
    expect(form.approvers).toEqual({ usergroups: ['backup-admins'], users: [] });
    expect(form.reasonRequired).toBe(false);
  });

  it('leaves out a picked volume that cannot be added, rather than refusing the form', async () => {
    const f = fixture();
    const form = await preview(f, await openDraft(f), { policyId: DAILY_7D, volumeIds: [DB_DATA_1, BROKEN] });
    expect(form.preview.kind === 'checked' && form.preview.checked.excluded.map((v) => v.id)).toEqual([BROKEN]);
  });

  it('previews a server’s volumes', async () => {
    const f = fixture();
    const form = await preview(f, await openDraft(f), { policyId: DAILY_7D, serverId: DB_01 });
    expect(form.preview.kind === 'checked' && form.preview.checked.volumes.map((v) => v.name)).toEqual([
      'db-data-1',
      'db-data-2',
    ]);
  });

  it('marks the reason required, and asks for it, when the deciding rule requires one', async () => {
    const f = fixture();
    const id = await openDraft(f);
    const without = await preview(f, id, { policyId: CRITICAL_HOURLY, volumeIds: [DB_DATA_1] });
    expect(without.preview).toMatchObject({ kind: 'invalid', problems: [{ field: 'reason' }] });
    expect(without.reasonRequired).toBe(true);
    const withReason = await preview(f, id, { policyId: CRITICAL_HOURLY, volumeIds: [DB_DATA_1], reason: 'INC-1' });
    expect(withReason.preview.kind).toBe('checked');
    expect(withReason.reasonRequired).toBe(true);
  });

  it('reads the form’s copy of the cloud: redrawing costs no cloud call', async () => {
    const f = fixture();
    const id = await openDraft(f);
    await preview(f, id, { policyId: DAILY_7D, volumeIds: [DB_DATA_1] });
    const calls = f.cloud.count();
    await preview(f, id, { policyId: DAILY_7D, volumeIds: [DB_DATA_1], reason: 'changed' });
    expect(f.cloud.count()).toBe(calls);
  });

  it('stops counting the channel it was opened in once the person has left it', async () => {
    const f = fixture();
    const id = await openDraft(f, DAVE, INCIDENT);
    const complete = { policyId: DAILY_7D, volumeIds: [DB_DATA_1] };
    expect((await preview(f, id, complete)).preview.kind).toBe('checked');
    f.people.leaveChannel(INCIDENT, DAVE);
    expect((await preview(f, id, complete)).preview).toEqual({
      kind: 'invalid',
      problems: [
        { field: 'channel', text: expect.stringContaining('You are no longer in the channel this form was opened in') },
      ],
    });
  });

  it('takes the channel of the command, not one picked in the view state', async () => {
    const f = fixture();
    const form = await preview(f, await openDraft(f, DAVE, INCIDENT), {
      policyId: DAILY_7D,
      volumeIds: [DB_DATA_1],
      channelId: GENERAL,
    });
    expect(form.preview.kind === 'checked' && form.preview.checked.channelName).toBe('inc-4711');
  });
});

describe('previewForm opened from a shortcut (the form asks for the channel)', () => {
  const fixture = useFlowFixture();
  const complete = { policyId: DAILY_7D, volumeIds: [DB_DATA_1] };

  it('takes a picked channel the person is in', async () => {
    const f = fixture();
    const form = await preview(f, await openShortcutDraft(f), { ...complete, channelId: INCIDENT });
    expect(form.preview.kind === 'checked' && form.preview.checked.channelName).toBe('inc-4711');
  });

  it('refuses a picked channel the person is not in, on the channel field', async () => {
    const f = fixture();
    const form = await preview(f, await openShortcutDraft(f), { ...complete, channelId: GENERAL });
    expect(form.preview).toEqual({
      kind: 'invalid',
      problems: [{ field: 'channel', text: expect.stringContaining('You are not in that channel') }],
    });
  });

  it('refuses a picked channel when Slack cannot tell whether the person is in it (fails closed)', async () => {
    const f = fixture();
    const id = await openShortcutDraft(f);
    f.people.unknown.add('membership');
    const form = await preview(f, id, { ...complete, channelId: INCIDENT });
    expect(form.preview).toMatchObject({ kind: 'invalid', problems: [{ field: 'channel' }] });
    expect(form.preview.kind === 'invalid' && form.preview.problems[0]!.text).toContain('could not tell');
  });

  it('says it cannot post in a picked channel the bot is not in', async () => {
    const f = fixture();
    const form = await preview(f, await openShortcutDraft(f), { ...complete, channelId: NO_BOT });
    expect(form.preview).toEqual({ kind: 'cannot_post', why: 'not_in_channel' });
  });

  it('asks for the channel while none is picked', async () => {
    const f = fixture();
    const form = await preview(f, await openShortcutDraft(f), complete);
    expect(form.preview).toEqual({ kind: 'incomplete', missing: ['channel'] });
    expect(f.people.calls.filter((c) => c.method === 'isMember')).toEqual([]);
  });
});
