import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { functionExecutedEvent } from '../../src/demo/slack-payloads';
import { StandInSteps } from '../../src/demo/slack-stand-in/steps';
import { stepEnding } from '../../src/slack/blocks/step-text';
import { missingScopes } from '../helpers/slack-scopes';
import { PLAIN_TEXT, sampleRequest } from '../support/sample-request';

const root = join(__dirname, '..', '..');
const manifest = parse(readFileSync(join(root, 'manifest.yml'), 'utf8'));
const schema = JSON.parse(readFileSync(join(root, 'test', 'fixtures', 'slack', 'manifest.schema.json'), 'utf8'));
describe('manifest.yml', () => {
  it("is valid against Slack's app manifest schema", () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    const valid = validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('declares /backup with a usage hint, unescaped text and the events URL', () => {
    expect(manifest.features.slash_commands).toEqual([
      expect.objectContaining({
        command: '/backup',
        should_escape: false,
        url: expect.stringMatching(/\/slack\/events$/),
        usage_hint: expect.stringContaining('associate [<policy> <volume>...'),
      }),
    ]);
    expect(manifest.settings.interactivity).toEqual({
      is_enabled: true,
      request_url: expect.stringMatching(/\/slack\/events$/),
      message_menu_options_url: expect.stringMatching(/\/slack\/events$/),
    });
  });

  it('has the Request backup shortcut, the App Home tab and its event', () => {
    expect(manifest.features.shortcuts).toEqual([
      expect.objectContaining({ type: 'global', callback_id: 'request_backup', name: 'Request backup' }),
    ]);
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(['app_home_opened', 'function_executed']);
  });

  it('declares the Protect volumes step in the flat v1 form, served by the bot, for an org-ready app', () => {
    const step = manifest.functions.protect_volumes;
    const shape = (params: Record<string, { type: string; is_required: boolean }>) =>
      Object.fromEntries(Object.entries(params).map(([name, p]) => [name, [p.type, p.is_required]]));
    expect(shape(step.input_parameters)).toEqual({
      requester: ['slack#/types/user_context', true],
      channel: ['slack#/types/channel_id', true],
      policy: ['string', true],
      volumes: ['string', true],
      server: ['string', false],
      project: ['string', false],
      reason: ['string', false],
    });
    expect(shape(step.output_parameters)).toEqual({
      request_id: ['string', true],
      state: ['string', true],
      added_count: ['integer', true],
      failed_count: ['integer', true],
      thread_ts: ['slack#/types/message_ts', false],
    });
    expect(manifest.settings.function_runtime).toBe('remote');
    expect(manifest.settings.org_deploy_enabled).toBe(true);
  });

  it('would refuse the nested {properties, required} form some tutorials show', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    const { input_parameters: flat } = manifest.functions.protect_volumes;
    const nested = structuredClone(manifest);
    nested.functions.protect_volumes.input_parameters = { properties: flat, required: ['requester'] };
    expect(validate(nested)).toBe(false);
    expect(validate(manifest)).toBe(true);
  });

  it('describes the step to the demo’s driver as the manifest declares it', () => {
    const event = functionExecutedEvent(new StandInSteps().start(), {
      userId: 'U1',
      channelId: 'C1',
      fields: { policy: 'p', volumes: 'v' },
    }) as { function: { input_parameters: { name: string; type: string; is_required: boolean }[] } };
    const declared = manifest.functions.protect_volumes.input_parameters as Record<
      string,
      { type: string; is_required: boolean }
    >;
    expect(event.function.input_parameters.map((p) => [p.name, p.type, p.is_required])).toEqual(
      Object.entries(declared).map(([name, p]) => [name, p.type, p.is_required]),
    );
  });

  it('lists the outputs the bot completes a step with, and no other', () => {
    const declared = Object.keys(manifest.functions.protect_volumes.output_parameters);
    const request = sampleRequest(PLAIN_TEXT, { rootMessage: { channel: 'C1', ts: '1.2' } });
    const ending = stepEnding(request);
    expect(ending?.kind === 'success' && Object.keys(ending.outputs)).toEqual(declared);
  });

  it('grants a scope for every Web API method the bot calls', () => {
    const called = [
      'chat.postMessage',
      'chat.update',
      'users.info',
      'conversations.info',
      'usergroups.list',
      'usergroups.users.list',
      'files.getUploadURLExternal',
      'files.completeUploadExternal',
      'functions.completeSuccess',
      'functions.completeError',
    ];
    expect(missingScopes(called, manifest.oauth_config.scopes.bot)).toEqual([]);
  });

  it('asks for no user token scopes', () => {
    expect(manifest.oauth_config.scopes.user).toBeUndefined();
  });
});
