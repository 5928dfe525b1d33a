import type { StandInWorkspace } from './slack-stand-in/workspace';

/** Renders Block Kit as a person would read it in Slack, for the terminal. */
const EMOJI: Record<string, string> = {
  white_check_mark: '✅',
  warning: '⚠️ ',
  x: '❌',
  hourglass_flowing_sand: '⏳',
  hourglass: '⌛',
  raised_hand: '✋',
  no_entry: '⛔',
  no_entry_sign: '🚫',
  mag: '🔍',
  information_source: 'ℹ️ ',
  repeat: '🔁',
  heavy_multiplication_x: '✖️ ',
  lock: '🔒',
  bell: '🔔',
  arrow_forward: '▶️ ',
  shield: '🛡️ ',
  calendar: '📅',
  leftwards_arrow_with_hook: '↩️ ',
};

export function renderMrkdwn(text: string, workspace: StandInWorkspace): string {
  return text
    .replace(/<@([UW][A-Z0-9]+)>/g, (_m, id: string) => `@${workspace.users.find((u) => u.id === id)?.name ?? id}`)
    .replace(
      /<#([CGD][A-Z0-9]+)(?:\|[^>]*)?>/g,
      (_m, id: string) => `#${workspace.channels.find((c) => c.id === id)?.name ?? id}`,
    )
    .replace(/<!date\^\d+\^[^|>]*\|([^>]*)>/g, '$1')
    .replace(/<!subteam\^[A-Z0-9]+\|?([^>]*)>/g, '$1')
    .replace(/:([a-z_]+):/g, (m, name: string) => EMOJI[name] ?? m)
    .replace(/\*([^*\n]+)\*/g, '$1')
    .replace(/(^|\s)_([^_\n]+)_(?=\s|$)/g, '$1$2')
    .replace(/```([\s\S]*?)```/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

interface AnyBlock {
  type?: string;
  text?: { text?: string };
  fields?: { text?: string }[];
  elements?: { type?: string; text?: string | { text?: string } }[];
  label?: { text?: string };
}

export function renderBlocks(blocks: readonly unknown[], workspace: StandInWorkspace): string[] {
  const lines: string[] = [];
  for (const raw of blocks) {
    const block = raw as AnyBlock;
    const text = (t: string | undefined) => renderMrkdwn(t ?? '', workspace);
    switch (block.type) {
      case 'header':
        lines.push(text(block.text?.text).toUpperCase());
        break;
      case 'section':
        if (block.text?.text) lines.push(...text(block.text.text).split('\n'));
        for (const f of block.fields ?? []) lines.push(text(f.text));
        break;
      case 'context':
        lines.push(
          `  ${(block.elements ?? []).map((e) => text(typeof e.text === 'string' ? e.text : e.text?.text)).join(' · ')}`,
        );
        break;
      case 'divider':
        lines.push('  ────────');
        break;
      case 'actions':
        lines.push(
          `  ${(block.elements ?? []).map((e) => `[ ${text(typeof e.text === 'string' ? e.text : e.text?.text)} ]`).join(' ')}`,
        );
        break;
      case 'input':
        lines.push(`  ${text(block.label?.text)}: ____`);
        break;
      case undefined:
      default:
        // Other block types (images, files) have no text a reader of the demo needs.
        break;
    }
  }
  return lines;
}
