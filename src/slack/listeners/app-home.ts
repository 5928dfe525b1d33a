import type { BlockButtonAction } from '@slack/bolt';
import type { FlowDeps } from '../../flow/flow-deps';
import { homeContent } from '../../flow/home';
import { rateLimitText, WORKSPACE_REFUSED } from '../blocks/admission-text';
import { buildClosedHomeView, buildHomeView } from '../blocks/home-view';
import { surfaceMarks } from '../blocks/sandbox-mark';
import { userSafeSentence } from '../error-reply';
import { ACTION_HOME_REQUEST } from '../ids';
import { teamIdOf } from '../payload';
import { openRequestForm } from './request-form';
import type { SlackListeners } from './listener-router';

/**
 * The App Home tab, drawn each time someone opens it (Slack may deliver the event more than once;
 * publishing the same view again is harmless), and its "Request backup" button.
 */
export function registerAppHome(app: SlackListeners, deps: FlowDeps): void {
  const marks = surfaceMarks(deps.sandbox);
  app.event('app_home_opened', async ({ event, body, client }) => {
    if (event.tab !== 'home') return;
    let view;
    try {
      const home = await homeContent(deps, { teamId: teamIdOf(body), userId: event.user });
      view = home.ok
        ? buildHomeView(home)
        : buildClosedHomeView(home.why === 'rate_limited' ? rateLimitText(home.rate) : WORKSPACE_REFUSED);
    } catch (e) {
      // The tab says what is wrong (the database is down, say) rather than showing an old page.
      await client.views.publish({ user_id: event.user, view: marks.home(buildClosedHomeView(userSafeSentence(e))) });
      throw e;
    }
    await client.views.publish({ user_id: event.user, view: marks.home(view) });
  });

  app.action<BlockButtonAction>(ACTION_HOME_REQUEST, async ({ ack, body, client }) => {
    await ack();
    await openRequestForm(deps, client, body.trigger_id, { teamId: teamIdOf(body), userId: body.user.id }, undefined);
  });
}
