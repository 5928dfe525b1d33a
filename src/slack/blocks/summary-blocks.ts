import type { BackupRequest, ExecutionOutcome } from '../../domain/backup-request';
import type { RequestSummary, SummaryLine } from '../../domain/summary';
import { buildSummary, MOVE_NOTE } from '../../domain/summary';
import { code, formatElapsed, plural, userText } from '../mrkdwn';
import type { Block, SlackMessage } from './kit';
import { csvRow } from './csv';
import { context, message, packLines, section } from './kit';

/** Above this many volumes the thread shows the first lines and attaches the full list as CSV. */
export const INLINE_VOLUMES = 25;
const SHOWN_FAILED = 15;
const SHOWN_ADDED = 10;

export interface SummaryOutput {
  readonly message: SlackMessage;
  /** Present when the list was too long for the message. */
  readonly csv: { readonly filename: string; readonly content: string; readonly title: string } | undefined;
}

function addedLine(l: SummaryLine): string {
  const where = [l.availabilityZone, l.pod].filter((x) => x !== undefined).map((x) => userText(x, 64));
  return `• ${code(l.name, 100)} ${code(l.volumeId)}${where.length ? ` · ${where.join(' · ')}` : ''}`;
}

function failedLine(l: SummaryLine): string {
  const why = [
    l.code === undefined ? undefined : code(l.code),
    l.message === undefined ? undefined : userText(l.message, 300),
  ]
    .filter((x) => x !== undefined)
    .join(' ');
  const hint = l.hint === undefined ? '' : `\n      _${l.hint}_`;
  return `• ${code(l.name, 100)} ${code(l.volumeId)} · ${why}${hint}`;
}

export function summaryCsv(requestId: string, s: RequestSummary): string {
  const rows = [['request_id', 'volume_id', 'name', 'result', 'availability_zone', 'pod', 'code', 'message']];
  for (const l of s.added)
    rows.push([requestId, l.volumeId, l.name, 'added', l.availabilityZone ?? '', l.pod ?? '', '', '']);
  for (const l of s.failed)
    rows.push([requestId, l.volumeId, l.name, 'failed', l.availabilityZone ?? '', '', l.code ?? '', l.message ?? '']);
  return rows.map(csvRow).join('');
}

/** The thread reply that says what happened to each volume. Valid Block Kit at any size. */
export function buildSummaryMessage(request: BackupRequest, outcome: ExecutionOutcome): SummaryOutput {
  const s = buildSummary(request, outcome);
  const total = s.added.length + s.failed.length;
  const long = total > INLINE_VOLUMES;
  const failedShown = long ? s.failed.slice(0, SHOWN_FAILED) : s.failed;
  const addedShown = long ? s.added.slice(0, SHOWN_ADDED) : s.added;
  const policy = code(request.policy.name, 100);

  const headline =
    s.state === 'succeeded'
      ? s.added.length === 1
        ? `:white_check_mark: The volume was added to ${policy}.`
        : `:white_check_mark: All ${s.added.length} volumes added to ${policy}.`
      : s.state === 'partially_failed'
        ? `:warning: ${plural(s.added.length, 'volume')} added to ${policy}, ${s.failed.length} failed.`
        : `:x: No volume was added to ${policy}: ${plural(s.failed.length, 'volume')} failed.`;
  const blocks: Block[] = [section(headline)];
  if (failedShown.length > 0) blocks.push(...packLines(failedShown.map(failedLine), `*Failed* (${s.failed.length})`));
  if (addedShown.length > 0) blocks.push(...packLines(addedShown.map(addedLine), `*Added* (${s.added.length})`));
  if (long) {
    const left = total - failedShown.length - addedShown.length;
    blocks.push(
      section(`…and ${plural(left, 'more volume')}: the full list of all ${total} is in the attached CSV file.`),
    );
  }
  if (s.added.length > 0) blocks.push(context(`:information_source: ${MOVE_NOTE}`));
  blocks.push(context(`Took ${formatElapsed(s.durationMs)} · request ${code(request.id)}`));

  const fallback = `${request.id}: ${s.added.length} added, ${s.failed.length} failed`;
  return {
    message: message(fallback, blocks),
    csv: long
      ? {
          filename: `${request.id}-summary.csv`,
          title: `${request.id}: all ${total} volumes`,
          content: summaryCsv(request.id, s),
        }
      : undefined,
  };
}
