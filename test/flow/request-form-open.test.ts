import { DRAFT_TTL_MS, openForm } from '../../src/flow/request-form';
import { actor, useFlowFixture } from '../support/flow-fixture';
import {
  ALICE,
  ARCHIVED,
  DAVE,
  DELETED_USER,
  GUEST,
  INCIDENT,
  NAMED_GUEST,
  OTHER_TEAM,
  STRANGER,
  TEAM,
} from '../support/flow-world';
import { T0 } from '../support/test-clock';

describe('openForm', () => {
  const fixture = useFlowFixture();

  it('stores a draft for the asker and the channel, an hour long, and asks for policy and volumes', async () => {
    const f = fixture();
    const id = f.ids.peek();
    const opened = await openForm(f.deps, actor(DAVE), INCIDENT);
    const draft = { id, teamId: TEAM, userId: DAVE, channelId: INCIDENT, createdAt: T0, expiresAt: T0 + DRAFT_TTL_MS };
    expect(opened).toEqual({
      ok: true,
      draft,
      preview: { kind: 'incomplete', missing: ['policy', 'volumes'] },
      approvers: undefined,
      reasonRequired: false,
    });
    expect(await f.store.drafts.get(id, T0)).toEqual(draft);
  });

  it('asks for the channel too when opened from a shortcut, without looking any channel up', async () => {
    const f = fixture();
    const opened = await openForm(f.deps, actor(DAVE), undefined);
    expect(opened.ok && opened.preview).toEqual({ kind: 'incomplete', missing: ['channel', 'policy', 'volumes'] });
    expect(f.people.calls.filter((c) => c.method === 'channelAccess')).toEqual([]);
  });

  it.each([
    ['a foreign workspace', ALICE, OTHER_TEAM, { ok: false, why: 'not_allowed' }],
    ['a guest no rule names', GUEST, TEAM, { ok: false, why: 'not_allowed' }],
    ['someone Slack does not know', STRANGER, TEAM, { ok: false, why: 'unknown_user' }],
    ['a deleted user', DELETED_USER, TEAM, { ok: false, why: 'unknown_user' }],
  ])('refuses %s and stores no draft', async (_who, userId, teamId, refusal) => {
    const f = fixture();
    const id = f.ids.peek();
    expect(await openForm(f.deps, actor(userId, teamId), INCIDENT)).toEqual(refusal);
    expect(await f.store.drafts.get(id, T0)).toBeUndefined();
    expect(f.cloud.calls).toEqual([]);
  });

  it('opens for a guest a rule names', async () => {
    expect((await openForm(fixture().deps, actor(NAMED_GUEST), INCIDENT)).ok).toBe(true);
  });

  it('says why it cannot post in the channel it was opened in', async () => {
    const f = fixture();
    expect(await openForm(f.deps, actor(DAVE), ARCHIVED)).toEqual({
      ok: false,
      why: 'cannot_post',
      channel: 'archived',
    });
  });
});
