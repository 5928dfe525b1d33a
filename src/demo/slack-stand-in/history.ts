import type { StandInMessage, StandInState } from './state';

type Answer = Record<string, unknown>;

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Slack's ts as a number of seconds, for the `oldest` bound. */
const seconds = (ts: string): number => Number(ts);

/** A message as conversations.history/replies return it; metadata only when asked for. */
function shown(m: StandInMessage, withMetadata: boolean, files: Answer[] = []): Answer {
  return {
    type: 'message',
    ts: m.ts,
    text: m.text,
    ...(m.threadTs !== undefined && { thread_ts: m.threadTs }),
    ...(withMetadata && m.metadata !== undefined && { metadata: m.metadata }),
    ...(files.length > 0 && { files }),
  };
}

function oldestOf(args: Answer): number {
  const oldest = args['oldest'];
  return typeof oldest === 'string' || typeof oldest === 'number' ? Number(oldest) : 0;
}

/** conversations.history: a channel's top-level messages at or after `oldest`, newest first (one page). */
export function conversationsHistory(state: StandInState, args: Answer): Answer {
  const channel = text(args['channel']);
  const oldest = oldestOf(args);
  const messages = state
    .channelMessages(channel)
    .filter((m) => seconds(m.ts) >= oldest)
    .reverse()
    .map((m) => shown(m, args['include_all_metadata'] === true || args['include_all_metadata'] === 'true'));
  return { ok: true, messages, has_more: false, response_metadata: { next_cursor: '' } };
}

/**
 * conversations.replies: the parent and its replies, oldest first. A file shared into the thread
 * appears as a reply carrying the file, as Slack shows it.
 */
export function conversationsReplies(state: StandInState, args: Answer): Answer {
  const channel = text(args['channel']);
  const ts = text(args['ts']);
  const parent = state.messages.find((m) => m.channel === channel && m.ts === ts);
  if (parent === undefined) return { ok: false, error: 'thread_not_found' };
  const withMetadata = args['include_all_metadata'] === true || args['include_all_metadata'] === 'true';
  const oldest = oldestOf(args);
  const replies = state.thread(channel, ts).map((m) => shown(m, withMetadata));
  const files = state.files
    .filter((f) => f.channel === channel && f.threadTs === ts)
    // A file share's ts: the stand-in keeps none, so the file id stands in (it only has to be there).
    .map((f) => ({ type: 'message', ts: f.id, files: [{ id: f.id, name: f.filename, title: f.title }] }));
  const messages = [shown(parent, withMetadata), ...replies, ...files].filter(
    (m) => m['ts'] === ts || Number.isNaN(Number(m['ts'])) || Number(m['ts']) >= oldest,
  );
  return { ok: true, messages, has_more: false, response_metadata: { next_cursor: '' } };
}
