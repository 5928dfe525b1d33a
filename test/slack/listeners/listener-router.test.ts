import { App } from '@slack/bolt';
import type { Receiver } from '@slack/bolt';
import { createMemoryLogger } from '../../../src/log/logger';
import { registerRouted } from '../../../src/slack/listeners/listener-router';
import type { SlackListeners } from '../../../src/slack/listeners/listener-router';
import { clickButton, submitView } from '../../support/interaction';

/**
 * The router hands Bolt one listener per kind of interaction and calls the listener registered for
 * the incoming id, with Bolt's own arguments: each listener module's own tests (and the end-to-end
 * ones) run through it as app.ts registers them. These pin what it adds and what it leaves to Bolt.
 */

const noReceiver: Receiver = { init: () => undefined, start: () => Promise.resolve(), stop: () => Promise.resolve() };

interface Harness {
  readonly app: App;
  readonly heard: string[];
  readonly acks: number[];
  readonly errors: unknown[];
  send(body: Record<string, unknown>): Promise<void>;
  boltListeners(): number;
}

function harness(register: (listeners: SlackListeners, heard: string[]) => void): Harness {
  const app = new App({
    token: 'xoxb-router-test',
    botId: 'B0BACKUPBOT',
    botUserId: 'U0BACKUPBOT',
    receiver: noReceiver,
    logger: createMemoryLogger('error'),
  });
  const heard: string[] = [];
  const acks: number[] = [];
  const errors: unknown[] = [];
  app.error((error) => {
    errors.push(error);
    return Promise.resolve();
  });
  registerRouted(app, (listeners) => register(listeners, heard));
  let sent = 0;
  return {
    app,
    heard,
    acks,
    errors,
    send: async (body) => {
      sent += 1;
      const n = sent;
      await app.processEvent({
        body,
        ack: () => {
          acks.push(n);
          return Promise.resolve();
        },
      });
    },
    // Bolt keeps its listeners in a private array: what a request's middleware runs through.
    boltListeners: () => (app as unknown as { listeners: unknown[] }).listeners.length,
  };
}

function suggestion(actionId: string): Record<string, unknown> {
  return {
    type: 'block_suggestion',
    action_id: actionId,
    block_id: 'b',
    value: 'da',
    team: { id: 'T0TEAM0001', domain: 'example-ops' },
    user: { id: 'U0ALICE001', name: 'alice', team_id: 'T0TEAM0001' },
    api_app_id: 'A0BOT',
    token: 'x',
    container: { type: 'view', view_id: 'V1' },
    view: { id: 'V1', type: 'modal', callback_id: 'form', private_metadata: '', state: { values: {} } },
  };
}

function viewClosed(callbackId: string): Record<string, unknown> {
  return { ...submitView('U0ALICE001', { callbackId, privateMetadata: '', values: {} }), type: 'view_closed' };
}

describe('registerRouted', () => {
  it('gives Bolt one listener per kind, and calls the one registered for the id with Bolt’s arguments', async () => {
    const h = harness((l, heard) => {
      l.command('/backup', async ({ ack }) => {
        await ack();
        heard.push('command');
      });
      for (const id of ['a_one', 'a_two', 'a_three'])
        l.action(id, async ({ ack, action, body, client, respond }) => {
          await ack();
          expect(typeof client.chat.postMessage).toBe('function');
          expect(typeof respond).toBe('function');
          heard.push(`${id}:${(action as { action_id: string }).action_id}:${body.type}`);
        });
      l.view('v_one', async ({ ack, view }) => {
        await ack();
        heard.push(`v_one:${view.callback_id}`);
      });
      l.view({ callback_id: 'v_two', type: 'view_submission' }, async ({ ack, view }) => {
        await ack();
        heard.push(`v_two:${view.callback_id}`);
      });
      l.options({ action_id: 'o_one' }, async ({ ack, payload }) => {
        await ack({ options: [] });
        heard.push(`o_one:${payload.action_id}`);
      });
      l.options('o_two', async ({ ack }) => {
        await ack({ options: [] });
        heard.push('o_two');
      });
    });
    expect(h.boltListeners()).toBe(4);

    await h.send(clickButton('U0ALICE001', 'a_two', 'x'));
    await h.send(submitView('U0ALICE001', { callbackId: 'v_two', privateMetadata: '', values: {} }));
    await h.send(submitView('U0ALICE001', { callbackId: 'v_one', privateMetadata: '', values: {} }));
    await h.send(suggestion('o_one'));
    await h.send(clickButton('U0ALICE001', 'a_three', 'x'));
    await h.send(suggestion('o_two'));

    expect(h.heard).toEqual([
      'a_two:a_two:block_actions',
      'v_two:v_two',
      'v_one:v_one',
      'o_one:o_one',
      'a_three:a_three:block_actions',
      'o_two',
    ]);
    expect(h.acks).toEqual([1, 2, 3, 4, 5, 6]);
    expect(h.errors).toEqual([]);
  });

  it('leaves what no listener names unanswered, as Bolt does: another id, a look-alike id, a closed view', async () => {
    const h = harness((l, heard) => {
      l.action('approve', async ({ ack }) => {
        await ack();
        heard.push('approve');
      });
      l.action('form.pick', async ({ ack }) => {
        await ack();
        heard.push('form.pick');
      });
      l.view('decide', async ({ ack }) => {
        await ack();
        heard.push('decide');
      });
    });
    await h.send(clickButton('U0ALICE001', 'deny', 'x'));
    await h.send(clickButton('U0ALICE001', 'approve_all', 'x'));
    await h.send(clickButton('U0ALICE001', 'form_pick', 'x'));
    await h.send(viewClosed('decide'));
    expect(h.heard).toEqual([]);
    expect(h.acks).toEqual([]);
    expect(h.errors).toEqual([]);
  });

  it('hands a registration with more than an id to Bolt as it is', async () => {
    const h = harness((l, heard) => {
      l.action({ action_id: 'pick', block_id: 'only-here' }, async ({ ack }) => {
        await ack();
        heard.push('pick in only-here');
      });
      l.action(/^page_\d+$/, async ({ ack, action }) => {
        await ack();
        heard.push(`page ${(action as { action_id: string }).action_id}`);
      });
      l.action(
        'guarded',
        async ({ next }) => {
          heard.push('guard');
          await next();
        },
        async ({ ack }) => {
          await ack();
          heard.push('guarded');
        },
      );
      l.view({ callback_id: 'closing', type: 'view_closed' }, async ({ ack }) => {
        await ack();
        heard.push('closed');
      });
      // Without a type, Bolt hears this id's view whether it is submitted or closed.
      l.view({ callback_id: 'any' }, async ({ ack, body }) => {
        await ack();
        heard.push(`any ${body.type}`);
      });
    });
    expect(h.boltListeners()).toBe(5);
    await h.send(clickButton('U0ALICE001', 'page_7', 'x'));
    await h.send(clickButton('U0ALICE001', 'guarded', 'x'));
    await h.send(viewClosed('closing'));
    await h.send(viewClosed('any'));
    await h.send(submitView('U0ALICE001', { callbackId: 'any', privateMetadata: '', values: {} }));
    // clickButton's block is not `only-here`.
    await h.send(clickButton('U0ALICE001', 'pick', 'x'));
    expect(h.heard).toEqual(['page page_7', 'guard', 'guarded', 'closed', 'any view_closed', 'any view_submission']);
  });

  it('passes a routed listener’s failure to the app’s error handler', async () => {
    const h = harness((l) => {
      l.action('breaks', async ({ ack }) => {
        await ack();
        throw new Error('listener broke');
      });
    });
    await h.send(clickButton('U0ALICE001', 'breaks', 'x'));
    expect(h.errors).toEqual([expect.objectContaining({ message: 'listener broke' })]);
  });

  it('refuses an id registered twice for one kind, at start', () => {
    expect(() =>
      harness((l) => {
        l.action('same', async ({ ack }) => ack());
        l.view('same', async ({ ack }) => ack());
        l.action('same', async ({ ack }) => ack());
      }),
    ).toThrow('two action listeners for "same"');
  });
});
