import type { types } from '@slack/bolt';
import { stripInvisible } from '../../domain/visible-text';
import { truncate } from '../mrkdwn';

export type Block = types.KnownBlock;

/** Slack's Block Kit limits (DESIGN §5). */
export const LIMITS = {
  blocksPerMessage: 50,
  blocksPerView: 100,
  sectionText: 3000,
  headerText: 150,
  contextElements: 10,
  staticSelectOptions: 100,
  optionText: 75,
  modalTitle: 24,
  /** `text` fallback of a message: Slack truncates above 40,000; keep it short. */
  fallbackText: 3000,
} as const;

/**
 * Plain text, cut to `max` characters (a modal title is 24, an option 75). Slack formats nothing
 * in it, but a bidi override would still reorder an option's name: such characters are dropped,
 * and tabs and line breaks (a name that spreads over lines) become spaces.
 */
export function plain(text: string, max: number = LIMITS.sectionText): types.PlainTextElement {
  return { type: 'plain_text', text: truncate(stripInvisible(text).replace(/[\t\n\v\f\r]/g, ' '), max), emoji: true };
}

export interface SlackMessage {
  readonly text: string;
  readonly blocks: Block[];
}

export function section(text: string): Block {
  return { type: 'section', text: { type: 'mrkdwn', text: truncate(text, LIMITS.sectionText) } };
}

export function header(text: string): Block {
  return { type: 'header', text: { type: 'plain_text', text: truncate(text, LIMITS.headerText), emoji: true } };
}

export function context(...texts: string[]): Block {
  return {
    type: 'context',
    elements: texts
      .slice(0, LIMITS.contextElements)
      .map((t) => ({ type: 'mrkdwn' as const, text: truncate(t, LIMITS.sectionText) })),
  };
}

export function divider(): Block {
  return { type: 'divider' };
}

/** Packs lines into as few sections as fit the 3000-character limit, never splitting a line. */
export function packLines(lines: readonly string[], heading?: string): Block[] {
  const blocks: Block[] = [];
  let current = heading ?? '';
  for (const raw of lines) {
    const line = truncate(raw, LIMITS.sectionText - 1);
    const next = current === '' ? line : `${current}\n${line}`;
    if (next.length > LIMITS.sectionText) {
      blocks.push(section(current));
      current = line;
    } else current = next;
  }
  if (current !== '') blocks.push(section(current));
  return blocks;
}

/** A message Slack will accept: at most 50 blocks (the last one says what was left out). */
export function message(text: string, blocks: Block[]): SlackMessage {
  if (blocks.length <= LIMITS.blocksPerMessage) return { text: truncate(text, LIMITS.fallbackText), blocks };
  const kept = blocks.slice(0, LIMITS.blocksPerMessage - 1);
  kept.push(context(`${blocks.length - kept.length} more sections were left out of this message.`));
  return { text: truncate(text, LIMITS.fallbackText), blocks: kept };
}
