import { formatDuration } from 'date-fns/formatDuration';
import { intervalToDuration } from 'date-fns/intervalToDuration';
import { stripInvisible } from '../domain/visible-text';

/*
 * How text that a person typed or the cloud returned reaches Slack (names, reasons, comments,
 * messages). Slack mrkdwn has no escape character, so:
 *
 * - `&`, `<` and `>` become entities everywhere, so `<!channel>`, `<@U123>` or a crafted link is
 *   shown, not acted on (Slack parses only these three).
 * - Controls, zero-width and bidi characters are dropped (domain/visible-text.ts), so nobody
 *   hides or reorders text before an approver's eyes; line breaks fold into spaces, so nothing
 *   starts a line of its own (a quote).
 * - Names (policies, volumes, projects, rules, ids) are shown in a code span, `code()`: inside
 *   one Slack applies no formatting, so the name stays exactly as it is (and can be copied into
 *   a command); only a backtick, which would end the span, is replaced.
 * - Free text (reasons, comments, the cloud's messages, `userText()`) gets its formatting
 *   characters replaced by look-alikes that Slack does not read as formatting: `*` U+2217 ∗,
 *   `_` U+02CD ˍ, `~` U+223C ∼, backtick U+02CB ˋ. It reads the same to the eye, and no `*bold*`,
 *   `_italic_`, `~strike~` or code span of its own can form, whatever Slack's rules for word
 *   boundaries are.
 */

const BACKTICK_LOOK_ALIKE = '\u02cb';

/** The inert look-alike shown for a formatting character of free text. */
function lookAlike(c: string): string {
  switch (c) {
    case '*':
      return '\u2217';
    case '_':
      return '\u02cd';
    case '~':
      return '\u223c';
    default:
      return BACKTICK_LOOK_ALIKE;
  }
}

/** Escapes the three characters Slack parses as controls (`<!channel>`, `<@U123>`, links). */
export function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cuts at a code-point boundary and marks the cut. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

/** One line of what can be seen: no controls, zero-width or bidi characters, whitespace folded. */
function visibleLine(text: string, max: number): string {
  return truncate(stripInvisible(text).replace(/\s+/g, ' ').trim(), max);
}

/** Free text (a reason, a comment, a cloud message): visible, bounded, escaped, no formatting of its own. */
export function userText(text: string, max: number): string {
  return escapeText(visibleLine(text, max).replace(/[*_~`]/g, lookAlike));
}

/**
 * A name or id as inline code, exactly as it is but for a backtick (which would close the span).
 * Stand it as a word of its own (space or punctuation around it): only then is it a code span.
 * An empty name (EVS allows them) is said in words: two backticks in a row are no span.
 */
export function code(text: string, max = 120): string {
  const inner = escapeText(visibleLine(text, max).replace(/`/g, BACKTICK_LOOK_ALIKE));
  return inner === '' ? '(no name)' : `\`${inner}\``;
}

/**
 * A sentence the bot composed around values (a problem with a request, a note): visible, bounded
 * and escaped. Its formatting is the bot's own (code spans around names), so it is kept; these
 * are shown only to the person who asked.
 */
export function composedText(text: string, max: number): string {
  return escapeText(visibleLine(text, max));
}

export function mention(userId: string): string {
  return /^[UW][A-Z0-9]+$/.test(userId) ? `<@${userId}>` : userText(userId, 40);
}

export function channelLink(channelId: string): string {
  return /^[CGD][A-Z0-9]+$/.test(channelId) ? `<#${channelId}>` : userText(channelId, 40);
}

/** A user group by its handle from the config (trusted, but shown to everyone: made visible and escaped). */
export function usergroupMention(handle: string): string {
  return `@${escapeText(visibleLine(handle.replace(/^@/, ''), 80))}`;
}

/**
 * A moment shown in each reader's own time zone with its day ("2:14 AM today", "… Mar 12"), and a
 * UTC fallback with the date for clients that cannot: a time of day alone reads as today's, and a
 * last backup twelve days old looked like this morning's.
 */
export function slackTime(epochMs: number): string {
  const seconds = Math.floor(epochMs / 1000);
  const iso = new Date(epochMs).toISOString();
  return `<!date^${seconds}^{time} {date_short_pretty}|${iso.slice(11, 16)} UTC, ${iso.slice(0, 10)}>`;
}

export function utcTime(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(11, 16)} UTC`;
}

/** "3 seconds", "2 minutes 5 seconds", "less than a second". */
export function formatElapsed(ms: number): string {
  if (ms < 1000) return 'less than a second';
  const text = formatDuration(intervalToDuration({ start: 0, end: Math.round(ms / 1000) * 1000 }), {
    format: ['days', 'hours', 'minutes', 'seconds'],
  });
  return text === '' ? 'less than a second' : text;
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
