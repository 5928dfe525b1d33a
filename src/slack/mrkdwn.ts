import { formatDuration, intervalToDuration } from 'date-fns';

/**
 * Text a person typed (reasons, names) is escaped before it reaches Slack, so `<!channel>`,
 * `<@U123>` or a crafted link is shown, not acted on. Slack only parses these three characters.
 */
export function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cuts at a code-point boundary and marks the cut. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

/** Escaped and bounded: what every piece of user text goes through before it is posted. */
export function userText(text: string, max: number): string {
  return escapeText(truncate(text.replace(/\s+/g, ' ').trim(), max));
}

/** Inline code that cannot be broken out of by a backtick in the value. */
export function code(text: string): string {
  return `\`${escapeText(text.replace(/`/g, "'"))}\``;
}

export function mention(userId: string): string {
  return /^[UW][A-Z0-9]+$/.test(userId) ? `<@${userId}>` : escapeText(userId);
}

export function channelLink(channelId: string): string {
  return /^[CGD][A-Z0-9]+$/.test(channelId) ? `<#${channelId}>` : escapeText(channelId);
}

export function usergroupMention(handle: string): string {
  return `@${escapeText(handle.replace(/^@/, ''))}`;
}

/** A time shown in each reader's own time zone, with a UTC fallback for clients that cannot. */
export function slackTime(epochMs: number): string {
  const seconds = Math.floor(epochMs / 1000);
  const utc = `${new Date(epochMs).toISOString().slice(11, 16)} UTC`;
  return `<!date^${seconds}^{time}|${utc}>`;
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
