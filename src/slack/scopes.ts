/**
 * The bot token scopes the bot needs: the same list as manifest.yml's `oauth_config.scopes.bot`
 * (a test keeps them equal). The self-check compares them with what Slack says the token has.
 */
export const BOT_SCOPES: readonly string[] = [
  'commands',
  'chat:write',
  'chat:write.public',
  'users:read',
  'usergroups:read',
  'channels:read',
  'groups:read',
  'files:write',
  'im:write',
  'channels:join',
  'channels:history',
  'groups:history',
];
