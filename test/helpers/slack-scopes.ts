import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const root = join(__dirname, '..', '..');
const methods: Record<string, { scopes: { bot?: string[] } }> = JSON.parse(
  readFileSync(join(root, 'test', 'fixtures', 'slack', 'web_api_methods.docs-slack-dev.json'), 'utf8'),
);
/** Methods not in the reference file, with their documented bot scope. */
const EXTRA: Record<string, string[]> = {
  'files.getUploadURLExternal': ['files:write'],
  'files.completeUploadExternal': ['files:write'],
  'views.publish': [],
  // A workflow step's completion takes the step's own token and no scope (docs.slack.dev/reference/methods/functions.completeSuccess).
  'functions.completeSuccess': [],
  'functions.completeError': [],
  'conversations.open': ['im:write', 'mpim:write', 'channels:manage', 'groups:write'],
  'conversations.join': ['channels:join'],
  'conversations.members': ['channels:read', 'groups:read', 'im:read', 'mpim:read'],
  'conversations.history': ['channels:history', 'groups:history', 'im:history', 'mpim:history'],
  'conversations.replies': ['channels:history', 'groups:history', 'im:history', 'mpim:history'],
};

export function manifestBotScopes(): string[] {
  return parse(readFileSync(join(root, 'manifest.yml'), 'utf8')).oauth_config.scopes.bot as string[];
}

/** Methods the manifest grants no scope for, from Slack's method reference: each needs one of its listed bot scopes. */
export function missingScopes(
  calledMethods: readonly string[],
  granted: readonly string[] = manifestBotScopes(),
): string[] {
  return [...new Set(calledMethods)].filter((m) => {
    const needed = EXTRA[m] ?? methods[m]?.scopes.bot ?? [];
    return needed.length > 0 && !needed.some((s) => granted.includes(s));
  });
}
