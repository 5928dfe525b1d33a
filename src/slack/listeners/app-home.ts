import type { App, BlockButtonAction } from '@slack/bolt';
import type { HomeDeps } from '../../flow/home';
import { homeContent } from '../../flow/home';
import { buildHomeView } from '../blocks/home-view';
import { ACTION_HOME_REQUEST } from '../ids';
import type { FormDeps } from './request-form';
import { openRequestForm } from './request-form';
import { teamIdOf } from '../payload';

/**
 * The App Home tab, drawn each time someone opens it (Slack may deliver the event more than once;
 * publishing the same view again is harmless), and its "Request backup" button.
 */
export function registerAppHome(app: App, deps: HomeDeps, form: FormDeps): void {
  app.event('app_home_opened', async ({ event, body, client }) => {
    if (event.tab !== 'home') return;
    const teamId = teamIdOf(body);
    const view = buildHomeView(await homeContent(deps, teamId, event.user));
    await client.views.publish({ user_id: event.user, view });
  });

  app.action<BlockButtonAction>(ACTION_HOME_REQUEST, async ({ ack, body, client }) => {
    await ack();
    const teamId = teamIdOf(body);
    await openRequestForm(form, client, body.trigger_id, { teamId, userId: body.user.id, channelId: undefined });
  });
}
