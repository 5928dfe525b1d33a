import { renderBlocks, renderMrkdwn } from './render-text';
import type { StandInEvent } from './slack-stand-in/state';
import type { StandInWorkspace } from './slack-stand-in/workspace';

function channelName(workspace: StandInWorkspace, id: string | undefined): string {
  return `#${workspace.channels.find((c) => c.id === id)?.name ?? id ?? '?'}`;
}

function indent(lines: readonly string[]): string[] {
  return lines.map((l) => `    ${l}`);
}

/** What people in the workspace saw, event by event, as terminal lines. */
export function describeEvents(
  events: readonly StandInEvent[],
  workspace: StandInWorkspace,
  askerName: string,
): string[] {
  const out: string[] = [];
  for (const e of events) {
    switch (e.kind) {
      case 'posted': {
        const where = channelName(workspace, e.message.channel);
        out.push(
          e.message.threadTs === undefined
            ? `── ${where} · OTC Backup posted:`
            : `── ${where} · OTC Backup replied in the thread:`,
        );
        out.push(...indent(renderBlocks(e.blocks, workspace)));
        break;
      }
      case 'updated':
        out.push(`── ${channelName(workspace, e.message.channel)} · OTC Backup edited its message (edit ${e.edit}):`);
        out.push(...indent(renderBlocks(e.blocks, workspace)));
        break;
      case 'ephemeral': {
        const body = e.body as { text?: string; blocks?: unknown[] };
        out.push(`── only @${askerName} sees (ephemeral):`);
        out.push(
          ...indent(body.blocks ? renderBlocks(body.blocks, workspace) : [renderMrkdwn(body.text ?? '', workspace)]),
        );
        break;
      }
      case 'file':
        out.push(
          `── ${channelName(workspace, e.file.channel)} · OTC Backup attached ${e.file.filename} in the thread (${(e.file.content ?? '').split('\n').length - 1} lines)`,
        );
        break;
      case 'view':
        out.push(
          `── a modal ${e.action === 'update' ? 'changed' : 'opened'}: ${renderMrkdwn((e.view.view['title'] as { text?: string } | undefined)?.text ?? '', workspace)}`,
        );
        out.push(...indent(renderBlocks((e.view.view['blocks'] as unknown[] | undefined) ?? [], workspace)));
        break;
    }
  }
  return out;
}
