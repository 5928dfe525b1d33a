import { blockSuggestionPayload } from '../../../src/demo/slack-payloads';
import * as suggestions from '../../../src/flow/form-suggestions';
import { MAX_QUERY_LENGTH } from '../../../src/flow/cloud-cache';
import { FORM_POLICY, FORM_SERVER, FORM_VOLUMES, VIEW_FORM } from '../../../src/slack/ids';
import { registerFormOptions } from '../../../src/slack/listeners/form-options';
import type { FlowFixture } from '../../support/flow-fixture';
import { useFlowFixture } from '../../support/flow-fixture';
import { ALICE, DAILY_7D, DAVE, DB_DATA_1, DB_01, TEAM } from '../../support/flow-world';
import { openDraft } from '../../support/form-draft';
import { formValues } from '../../support/form-view-state';
import { who } from '../../support/interaction';
import type { ListenerApp } from '../../support/listener-app';
import { checkNockAfterEach, createListenerApp, traceFlow } from '../../support/listener-app';

/** The options an ack offered, as [label, value]. */
function offered(ack: unknown): [string, string][] {
  return (ack as { options: { text: { text: string }; value: string }[] }).options.map((o) => [o.text.text, o.value]);
}

/** Type-ahead in the form: answered in the ack, from the flow's suggestions, with no Slack call. */
describe('registerFormOptions', () => {
  const fixture = useFlowFixture();
  checkNockAfterEach();
  let f: FlowFixture;
  let bot: ListenerApp;
  let draft: string;
  beforeEach(async () => {
    f = fixture();
    bot = createListenerApp(f.deps, registerFormOptions);
    draft = await openDraft(f, DAVE);
  });

  function typeAhead(userId: string, actionId: string, blockId: string, value: string) {
    const stored = { id: 'V0FORM001', hash: 'h-1', userId, view: { callback_id: VIEW_FORM, private_metadata: draft } };
    return bot.send(
      blockSuggestionPayload(stored, who(userId), {
        userId,
        viewId: stored.id,
        blockId,
        actionId,
        value,
        values: formValues(),
      }),
    );
  }

  it('offers the policies matching what was typed, labelled with their schedule', async () => {
    const spy = traceFlow(suggestions, 'suggestPolicies', bot.timeline);
    await typeAhead(DAVE, FORM_POLICY, 'policy.prod', 'daily');
    expect(bot.timeline).toEqual(['suggestPolicies', 'ack']);
    expect(spy).toHaveBeenCalledWith(f.deps, {
      actor: { teamId: TEAM, userId: DAVE },
      draftId: draft,
      projectName: 'prod',
      query: 'daily',
    });
    expect(bot.acks).toHaveLength(1);
    expect(offered(bot.acks[0])).toEqual([['daily-7d · every day at 02:00 UTC · keeps 7', DAILY_7D]]);
  });

  it('offers volumes labelled with size, zone, status and the server they are attached to', async () => {
    await typeAhead(DAVE, FORM_VOLUMES, 'volumes.prod', 'db-data-1');
    expect(offered(bot.acks[0])).toEqual([['db-data-1 · 100 GB · eu-de-01 · in-use · db-01', DB_DATA_1]]);
  });

  it('offers servers by name', async () => {
    await typeAhead(DAVE, FORM_SERVER, 'server.prod', 'db-');
    expect(offered(bot.acks[0])).toEqual([['db-01', DB_01]]);
  });

  it('offers nothing in another person’s form, and reads nothing from the cloud', async () => {
    await typeAhead(ALICE, FORM_VOLUMES, 'volumes.prod', 'db');
    expect(bot.acks).toEqual([{ options: [] }]);
    expect(f.cloud.calls).toEqual([]);
  });

  it('offers nothing for an absurdly long query', async () => {
    await typeAhead(DAVE, FORM_POLICY, 'policy.prod', 'd'.repeat(MAX_QUERY_LENGTH + 1));
    expect(bot.acks).toEqual([{ options: [] }]);
  });
});
