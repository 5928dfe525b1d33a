import type { WebClient } from '@slack/web-api';
import type { MessageRef } from '../domain/backup-request';
import type { RequestId } from '../domain/ids';

/** The `event_type` of the metadata on every message the bot posts about a request. */
export const METADATA_EVENT_TYPE = 'backup_request';

/** How far before a message was owed the search looks, for clock skew between Slack and the bot. */
const SKEW_MS = 60_000;
/** Pages of 200 messages searched at most: a post is found in the window it was owed in, or not at all. */
const MAX_PAGES = 3;

/** The metadata that tags a post: which request, which owed message (the outbox id) and of what kind. */
export function postMetadata(
  requestId: RequestId,
  messageId: number,
  kind: string,
): { event_type: string; event_payload: { request_id: string; message_id: number; kind: string } } {
  return {
    event_type: METADATA_EVENT_TYPE,
    event_payload: { request_id: requestId, message_id: messageId, kind },
  };
}

interface PostedMessage {
  readonly ts?: string;
  readonly metadata?: { readonly event_type?: string; readonly event_payload?: unknown };
  readonly files?: readonly { readonly name?: string }[];
}

/** Where to look: a channel's top level, or one thread. */
export interface Place {
  readonly channel: string;
  readonly threadTs?: string | undefined;
}

/**
 * What to look for: the owed message's tag (its request and its outbox id: another deployment of
 * the bot, with a database of its own, numbers its messages from 1 too), or (for a file, which
 * carries no metadata) its file name, which holds the request id.
 */
export type Wanted = { readonly requestId: RequestId; readonly messageId: number } | { readonly filename: string };

function matches(message: PostedMessage, wanted: Wanted): boolean {
  if ('filename' in wanted) return (message.files ?? []).some((f) => f.name === wanted.filename);
  const meta = message.metadata;
  if (meta?.event_type !== METADATA_EVENT_TYPE) return false;
  const payload = meta.event_payload;
  return (
    typeof payload === 'object' &&
    payload !== null &&
    Reflect.get(payload, 'message_id') === wanted.messageId &&
    Reflect.get(payload, 'request_id') === wanted.requestId
  );
}

/**
 * Finds a message the bot may already have posted (an earlier attempt timed out or its process
 * died after Slack accepted it): searches the channel's history or the thread, with metadata,
 * from a little before the message was owed. Undefined when it is not there: then it was not posted.
 */
export async function findPosted(
  client: WebClient,
  place: Place,
  wanted: Wanted,
  owedAt: number,
): Promise<MessageRef | undefined> {
  const oldest = String(Math.max(0, owedAt - SKEW_MS) / 1000);
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const common = {
      channel: place.channel,
      oldest,
      include_all_metadata: true,
      limit: 200,
      ...(cursor && { cursor }),
    };
    const res =
      place.threadTs === undefined
        ? await client.conversations.history({ ...common, inclusive: true })
        : await client.conversations.replies({ ...common, ts: place.threadTs });
    const found = (res.messages ?? []).find((m: PostedMessage) => matches(m, wanted));
    if (found?.ts !== undefined) return { channel: place.channel, ts: found.ts };
    cursor = res.response_metadata?.next_cursor || undefined;
    if (cursor === undefined) return undefined;
  }
  return undefined;
}
