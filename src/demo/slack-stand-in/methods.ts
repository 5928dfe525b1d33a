import { BLOCK_LIMITS, checkBlocks, checkView } from './block-check';
import { conversationsHistory, conversationsReplies } from './history';
import type { StandInState, StandInView } from './state';

type Answer = Record<string, unknown>;
const fail = (error: string, extra: Answer = {}): Answer => ({ ok: false, error, ...extra });

/** A refusal Slack would answer; kept in `state.refused` so a failing test can say what was wrong. */
function refuse(state: StandInState, method: string, error: string, problems: string[]): Answer {
  state.refused.push({ method, error, problems });
  if (problems.length === 0) return fail(error);
  return error === 'invalid_blocks'
    ? fail(error, { errors: problems })
    : fail(error, { response_metadata: { messages: problems } });
}
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function canPost(state: StandInState, channelId: string): Answer | undefined {
  const channel = state.workspace.channels.find((c) => c.id === channelId);
  if (channel === undefined || (channel.isPrivate === true && channel.botIsMember !== true))
    return fail('channel_not_found');
  if (channel.isArchived === true) return fail('is_archived');
  return undefined;
}

function viewAnswer(v: StandInView): Answer {
  return { ok: true, view: { ...v.view, id: v.id, hash: v.hash } };
}

/** Slack Web API methods the bot uses, answered from the stand-in workspace. */
export function handleMethod(
  state: StandInState,
  method: string,
  args: Record<string, unknown>,
  ctx: { base: string; socketUrl: string | undefined; token: string },
): Answer {
  const ws = state.workspace;
  switch (method) {
    case 'auth.test':
      return {
        ok: true,
        url: 'https://example-ops.slack.com/',
        team: ws.teamName,
        team_id: ws.teamId,
        user: 'otc-backup',
        user_id: ws.botUserId,
        bot_id: ws.botId,
      };
    case 'chat.postMessage': {
      const channel = str(args['channel']) ?? '';
      const refused = canPost(state, channel);
      if (refused) return refused;
      const problems = checkBlocks(args['blocks'], BLOCK_LIMITS.blocksPerMessage);
      if (problems.length > 0) return refuse(state, method, 'invalid_blocks', problems);
      const threadTs = str(args['thread_ts']);
      if (threadTs !== undefined && !state.messages.some((m) => m.channel === channel && m.ts === threadTs))
        return fail('thread_not_found');
      const message = {
        channel,
        ts: state.nextTs(),
        threadTs,
        text: str(args['text']) ?? '',
        blocks: (args['blocks'] as unknown[] | undefined) ?? [],
        edits: 0,
        ...(args['metadata'] !== undefined && { metadata: args['metadata'] }),
      };
      state.messages.push(message);
      state.log.push({ kind: 'posted', message, text: message.text, blocks: message.blocks });
      return { ok: true, channel, ts: message.ts, message: { text: message.text, ts: message.ts } };
    }
    case 'chat.update': {
      const message = state.messages.find((m) => m.channel === args['channel'] && m.ts === args['ts']);
      if (message === undefined) return fail('message_not_found');
      const problems = checkBlocks(args['blocks'], BLOCK_LIMITS.blocksPerMessage);
      if (problems.length > 0) return refuse(state, method, 'invalid_blocks', problems);
      message.text = str(args['text']) ?? message.text;
      message.blocks = (args['blocks'] as unknown[] | undefined) ?? message.blocks;
      message.edits += 1;
      state.log.push({ kind: 'updated', message, text: message.text, blocks: message.blocks, edit: message.edits });
      return { ok: true, channel: message.channel, ts: message.ts };
    }
    case 'chat.postEphemeral': {
      const refused = canPost(state, str(args['channel']) ?? '');
      if (refused) return refused;
      const problems = checkBlocks(args['blocks'], BLOCK_LIMITS.blocksPerMessage);
      if (problems.length > 0) return refuse(state, method, 'invalid_blocks', problems);
      return { ok: true, message_ts: state.nextTs() };
    }
    case 'conversations.info': {
      const c = ws.channels.find((x) => x.id === args['channel']);
      if (c === undefined || (c.isPrivate === true && c.botIsMember !== true)) return fail('channel_not_found');
      return {
        ok: true,
        channel: {
          id: c.id,
          name: c.name,
          is_channel: !c.isPrivate,
          is_private: c.isPrivate === true,
          // As Slack says it: a public channel's membership is its member list, a private one's the flag.
          is_member: c.isPrivate ? c.botIsMember === true : (c.members ?? []).includes(ws.botUserId),
          is_archived: c.isArchived === true,
          is_im: false,
          is_mpim: false,
        },
      };
    }
    case 'conversations.members': {
      const c = ws.channels.find((x) => x.id === args['channel']);
      if (c === undefined || (c.isPrivate === true && c.botIsMember !== true)) return fail('channel_not_found');
      // Paged as Slack pages it: `limit` (at most 1000) per page, `cursor` from the previous page.
      const limit = Math.min(Math.max(Number(args['limit'] ?? 100) || 100, 1), 1000);
      const offset =
        str(args['cursor']) === undefined ? 0 : Number(Buffer.from(String(args['cursor']), 'base64').toString());
      if (!Number.isInteger(offset) || offset < 0) return fail('invalid_cursor');
      const members = c.members ?? [];
      const next = offset + limit < members.length ? Buffer.from(String(offset + limit)).toString('base64') : '';
      return { ok: true, members: members.slice(offset, offset + limit), response_metadata: { next_cursor: next } };
    }
    case 'users.info': {
      const u = ws.users.find((x) => x.id === args['user']);
      if (u === undefined) return fail('user_not_found');
      return {
        ok: true,
        user: {
          id: u.id,
          team_id: ws.teamId,
          name: u.name,
          real_name: u.name,
          deleted: u.deleted === true,
          is_bot: u.isBot === true,
          is_restricted: u.isRestricted === true,
          is_ultra_restricted: u.isUltraRestricted === true,
          is_admin: false,
        },
      };
    }
    case 'conversations.open': {
      const user = ws.users.find((u) => u.id === args['users']);
      return user === undefined
        ? fail('user_not_found')
        : { ok: true, channel: { id: `D${user.id.slice(1)}`, is_im: true } };
    }
    case 'usergroups.list':
      return {
        ok: true,
        usergroups: ws.usergroups.map((g) => ({
          id: g.id,
          team_id: ws.teamId,
          handle: g.handle,
          name: g.handle,
          is_usergroup: true,
          user_count: g.users.length,
        })),
      };
    case 'usergroups.users.list': {
      const g = ws.usergroups.find((x) => x.id === args['usergroup']);
      return g === undefined ? fail('no_such_subteam') : { ok: true, users: g.users };
    }
    case 'files.getUploadURLExternal': {
      const id = state.nextId('F');
      state.files.push({
        id,
        channel: undefined,
        threadTs: undefined,
        filename: str(args['filename']) ?? 'file',
        title: undefined,
        content: undefined,
      });
      return { ok: true, upload_url: `${ctx.base}/upload/${id}`, file_id: id };
    }
    case 'files.completeUploadExternal': {
      // Posting in a public channel works without joining (chat:write.public); sharing a file does not.
      const target = ws.channels.find((c) => c.id === args['channel_id']);
      if (target?.members !== undefined && !target.members.includes(ws.botUserId)) return fail('not_in_channel');
      const entries = (args['files'] as { id: string; title?: string }[] | undefined) ?? [];
      // A file id the stand-in never handed out is left out, as Slack leaves out what it cannot share.
      const done = entries.flatMap((e) => {
        const index = state.files.findIndex((f) => f.id === e.id);
        const before = state.files[index];
        if (before === undefined) return [];
        const file = {
          ...before,
          channel: str(args['channel_id']),
          threadTs: str(args['thread_ts']),
          title: e.title,
          content: state.uploads.get(e.id),
        };
        state.files[index] = file;
        state.log.push({ kind: 'file', file });
        return [{ id: file.id, name: file.filename, title: file.title }];
      });
      return { ok: true, files: done };
    }
    case 'conversations.join': {
      const c = ws.channels.find((x) => x.id === args['channel']);
      if (c === undefined || c.isPrivate === true)
        return fail(c === undefined ? 'channel_not_found' : 'method_not_supported_for_channel_type');
      if (c.isArchived === true) return fail('is_archived');
      if (!(c.members ?? []).includes(ws.botUserId))
        state.setChannelMembers(c.id, [...(c.members ?? []), ws.botUserId]);
      return { ok: true, channel: { id: c.id, name: c.name, is_member: true } };
    }
    case 'views.open':
    case 'views.push':
    case 'views.publish':
    case 'views.update': {
      const view = (args['view'] ?? {}) as Record<string, unknown>;
      const problems = checkView(view);
      if (method === 'views.publish' && view['type'] !== 'home') problems.push('views.publish takes a home view');
      if ((method === 'views.open' || method === 'views.push') && view['type'] !== 'modal')
        problems.push(`${method} takes a modal view`);
      if (problems.length > 0) return refuse(state, method, 'invalid_arguments', problems);
      if (method === 'views.update') {
        const existing = state.views.get(str(args['view_id']) ?? '');
        if (existing === undefined) return fail('not_found');
        if (str(args['hash']) !== undefined && args['hash'] !== existing.hash) return fail('hash_conflict');
        existing.view = view;
        existing.hash = state.nextId('h');
        state.log.push({ kind: 'view', action: 'update', view: { ...existing } });
        return viewAnswer(existing);
      }
      // A trigger_id lives three seconds from the interaction that carried it, and works once.
      if (method !== 'views.publish') {
        const refusal = state.exchangeTrigger(args['trigger_id']);
        if (refusal !== undefined) return refuse(state, method, refusal, []);
      }
      const created: StandInView = {
        id: state.nextId('V'),
        hash: state.nextId('h'),
        view,
        userId: str(args['user_id']),
      };
      state.views.set(created.id, created);
      state.log.push({
        kind: 'view',
        action: method.slice('views.'.length) as 'open' | 'push' | 'publish',
        view: { ...created },
      });
      return viewAnswer(created);
    }
    case 'conversations.history':
    case 'conversations.replies': {
      // As Slack does: a bot token reads only the channels the bot is in, even a public one it
      // posts in without joining (chat:write.public).
      const target = ws.channels.find((c) => c.id === args['channel']);
      if (target?.members !== undefined && !target.members.includes(ws.botUserId)) return fail('not_in_channel');
      return method === 'conversations.history' ? conversationsHistory(state, args) : conversationsReplies(state, args);
    }
    case 'functions.completeSuccess':
    case 'functions.completeError':
      return state.steps.complete(method, args, ctx.token);
    case 'apps.connections.open':
      return ctx.socketUrl === undefined ? fail('not_allowed_token_type') : { ok: true, url: ctx.socketUrl };
    default:
      return fail('unknown_method');
  }
}
