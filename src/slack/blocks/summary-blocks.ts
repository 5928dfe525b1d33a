import type { BackupRequest, ExecutionOutcome, RequestAction } from '../../domain/backup-request';
import { undoableVolumes } from '../../domain/undo';
import { ACTION_UNDO } from '../ids';
import { targetWords, verbOf } from './request-words';
import { firstBackupPlan } from './backup-notes';
import type { RequestSummary, SummaryLine } from '../../domain/summary';
import { buildSummary, INLINE_VOLUMES, MOVE_NOTE } from '../../domain/summary';
import { code, formatElapsed, plural, userText } from '../mrkdwn';
import type { Block, SlackMessage } from './kit';
import { csvRow } from './csv';
import { context, message, packLines, section } from './kit';

export { INLINE_VOLUMES } from '../../domain/summary';
const SHOWN_FAILED = 15;
const SHOWN_ADDED = 10;

export interface SummaryOutput {
  readonly message: SlackMessage;
  /** Present when the list was too long for the message. */
  readonly csv: { readonly filename: string; readonly content: string; readonly title: string } | undefined;
}

function addedLine(action: RequestAction): (l: SummaryLine) => string {
  return (l) => {
    const where = [l.availabilityZone, l.pod].filter((x) => x !== undefined).map((x) => userText(x, 64));
    const moved =
      l.movedVault === undefined
        ? []
        : [
            action === 'associate'
              ? `moved from vault ${code(l.movedVault, 100)}`
              : `moved back to vault ${code(l.movedVault, 100)}`,
          ];
    const already = l.already ? [action === 'associate' ? 'was there already' : 'was not there'] : [];
    const parts = [...where, ...moved, ...already];
    return `• ${code(l.name, 100)} ${code(l.volumeId)}${parts.length ? ` · ${parts.join(' · ')}` : ''}`;
  };
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

export function summaryCsv(requestId: string, s: RequestSummary, action: RequestAction = 'associate'): string {
  const rows = [
    ['request_id', 'volume_id', 'name', 'result', 'availability_zone', 'pod', 'code', 'message', 'moved_vault'],
  ];
  const done = verbOf(action).done;
  for (const l of s.added)
    rows.push([
      requestId,
      l.volumeId,
      l.name,
      l.already ? `${done} (already)` : done,
      l.availabilityZone ?? '',
      l.pod ?? '',
      '',
      '',
      l.movedVault ?? '',
    ]);
  for (const l of s.failed)
    rows.push([
      requestId,
      l.volumeId,
      l.name,
      'failed',
      l.availabilityZone ?? '',
      '',
      l.code ?? '',
      l.message ?? '',
      '',
    ]);
  return rows.map(csvRow).join('');
}

/** The thread reply that says what happened to each volume. Valid Block Kit at any size. */
export function buildSummaryMessage(request: BackupRequest, outcome: ExecutionOutcome): SummaryOutput {
  const s = buildSummary(request, outcome);
  const total = s.added.length + s.failed.length;
  const long = total > INLINE_VOLUMES;
  const failedShown = long ? s.failed.slice(0, SHOWN_FAILED) : s.failed;
  const addedShown = long ? s.added.slice(0, SHOWN_ADDED) : s.added;
  const target = targetWords(request.target);
  const { prep, done } = verbOf(request.action);

  const headline =
    s.state === 'succeeded'
      ? s.added.length === 1
        ? `:white_check_mark: The volume was ${done} ${prep} ${target}.`
        : `:white_check_mark: All ${s.added.length} volumes ${done} ${prep} ${target}.`
      : s.state === 'partially_failed'
        ? `:warning: ${plural(s.added.length, 'volume')} ${done} ${prep} ${target}, ${s.failed.length} failed.`
        : `:x: No volume was ${done} ${prep} ${target}: ${plural(s.failed.length, 'volume')} failed.`;
  const blocks: Block[] = [section(headline)];
  if (failedShown.length > 0) blocks.push(...packLines(failedShown.map(failedLine), `*Failed* (${s.failed.length})`));
  if (addedShown.length > 0)
    blocks.push(
      ...packLines(
        addedShown.map(addedLine(request.action)),
        `*${done.charAt(0).toUpperCase()}${done.slice(1)}* (${s.added.length})`,
      ),
    );
  if (long) {
    const left = total - failedShown.length - addedShown.length;
    blocks.push(
      section(`…and ${plural(left, 'more volume')}: the full list of all ${total} is in the attached CSV file.`),
    );
  }
  if (s.added.length > 0 && request.action === 'associate' && request.project.service === 'vbs')
    blocks.push(context(`:information_source: ${MOVE_NOTE}`));
  const plan = firstBackupPlan(request);
  if (plan !== undefined) blocks.push(context(plan));
  blocks.push(context(`Took ${formatElapsed(s.durationMs)} · request ${code(request.id)}`));
  if (canUndo(request, outcome)) blocks.push(undoButton(request));

  const fallback = `${request.id}: ${s.added.length} added, ${s.failed.length} failed`;
  return {
    message: message(fallback, blocks),
    csv: long
      ? {
          filename: `${request.id}-summary.csv`,
          title: `${request.id}: all ${total} volumes`,
          content: summaryCsv(request.id, s, request.action),
        }
      : undefined,
  };
}

/** An associate that changed something can be undone (a request of its own); an undo cannot. */
function canUndo(request: BackupRequest, outcome: ExecutionOutcome): boolean {
  return request.action === 'associate' && undoableVolumes(request, outcome).length > 0;
}

/** What the Undo button's confirmation says it takes out. VBS cannot say which disks were in the policy before. */
export function undoConfirmText(request: Pick<BackupRequest, 'project'>): string {
  const exactly =
    'This asks to take out exactly the volumes this request added, as a new request with its own checks and approvals.';
  return request.project.service === 'cbr'
    ? exactly
    : 'This asks to take out every volume this request added, as a new request with its own checks and approvals. ' +
        'VBS cannot say whether a volume was in this policy before the request: one that was is taken out too.';
}

function undoButton(request: Pick<BackupRequest, 'id' | 'project'>): Block {
  const requestId = request.id;
  return {
    type: 'actions',
    elements: [
      {
        type: 'button',
        action_id: ACTION_UNDO,
        text: { type: 'plain_text', text: 'Undo' },
        value: requestId,
        confirm: {
          title: { type: 'plain_text', text: 'Undo this request?' },
          text: { type: 'mrkdwn', text: undoConfirmText(request) },
          confirm: { type: 'plain_text', text: 'Ask to undo' },
          deny: { type: 'plain_text', text: 'Back' },
        },
      },
    ],
  };
}
