import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { missingScopes } from '../helpers/slack-scopes';

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
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(['app_home_opened']);
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
    ];
    expect(missingScopes(called, manifest.oauth_config.scopes.bot)).toEqual([]);
  });

  it('asks for no user token scopes', () => {
    expect(manifest.oauth_config.scopes.user).toBeUndefined();
  });
});
