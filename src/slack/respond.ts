import type { RespondFn } from '@slack/bolt';
import type { SlackMessage } from './blocks/kit';

/** A reply only the asker sees, through the command's response_url. */
export function ephemeral(respond: RespondFn, m: SlackMessage): Promise<unknown> {
  return respond({ response_type: 'ephemeral', replace_original: false, text: m.text, blocks: m.blocks });
}
