import { checkUnnamedAccount } from '../domain/access-rules';
import type { Actor, ChannelRef } from '../domain/actor';
import type { Approvers } from '../domain/backup-request';
import type { AssociateCommand } from '../domain/command-grammar';
import type { RequestId } from '../domain/ids';
import { asVolumeId, isUuid } from '../domain/ids';
import type { RequestDraft } from '../store/request-store';
import { admitFollowUp, admitRequest, refusalOf } from './admission';
import type { CheckOutcome } from './check-request';
import { checkRequest } from './check-request';
import type { FlowDeps } from './flow-deps';
import type { CannotPost } from './ports';
import type { RecordOutcome } from './record-request';
import { approversFor, recordRequest } from './record-request';
import type { RateLimit } from './request-limiter';

/** A form lives this long; submitting later asks to start again. */
export const DRAFT_TTL_MS = 3_600_000;

/** What the form's fields hold, read from the view state: user input like any other, checked again. */
export interface FormSelection {
  readonly projectName: string | undefined;
  /** Only for a form opened from a global shortcut (no channel of its own). */
  readonly channelId: string | undefined;
  readonly policyId: string | undefined;
  readonly volumeIds: readonly string[];
  readonly serverId: string | undefined;
  readonly reason: string | undefined;
  /** CBR: move volumes that are in another vault (the form's checkbox for `--move`). */
  readonly move: boolean;
  /** Back the target up right after the volumes are added (the form's checkbox for `--now`). */
  readonly backupNow: boolean;
}

type FormField = 'channel' | 'policy' | 'volumes';

export type PreviewOutcome = CheckOutcome | { readonly kind: 'incomplete'; readonly missing: readonly FormField[] };

/** What the form shows: the preview, who would approve, and whether the reason is required. */
export interface FormPreview {
  readonly draft: RequestDraft;
  readonly preview: PreviewOutcome;
  readonly approvers: Approvers | undefined;
  readonly reasonRequired: boolean;
}

export type OpenResult =
  | ({ readonly ok: true } & FormPreview)
  | { readonly ok: false; readonly why: 'not_allowed' | 'unknown_user' }
  | { readonly ok: false; readonly why: 'rate_limited'; readonly rate: RateLimit }
  | { readonly ok: false; readonly why: 'cannot_post'; readonly channel: CannotPost };

export type SubmitOutcome =
  | Exclude<PreviewOutcome, { kind: 'checked' }>
  | RecordOutcome
  | { readonly kind: 'rate_limited'; readonly rate: RateLimit };

type FormDeps = Pick<
  FlowDeps,
  'config' | 'cloud' | 'formCloud' | 'people' | 'queries' | 'drafts' | 'clock' | 'workspaces' | 'limiter' | 'logger'
>;

/**
 * May this person request anything at all? Slack must know them, and a guest or bot must be named
 * by some rule. (The workspace was checked at the door; what they may request is decided per request.)
 */
async function mayRequest(
  deps: Pick<FlowDeps, 'config' | 'people'>,
  actor: Actor,
): Promise<'not_allowed' | 'unknown_user' | 'yes'> {
  const facts = await deps.people.userFacts(actor.userId);
  if (facts === undefined || facts.deleted) return 'unknown_user';
  if (checkUnnamedAccount(deps.config.access, { id: actor.userId, isGuest: facts.isGuest, isBot: facts.isBot }))
    return 'not_allowed';
  return 'yes';
}

/**
 * Opens a form: a draft in the store whose id the modal carries (and nothing else). `channelId` is
 * where the command was typed; undefined for a shortcut or the App Home (the form then asks).
 */
export async function openForm(
  deps: Pick<FlowDeps, 'config' | 'people' | 'drafts' | 'clock' | 'newRequestId' | 'workspaces' | 'limiter' | 'logger'>,
  actor: Actor,
  channelId: string | undefined,
): Promise<OpenResult> {
  const admission = admitRequest(deps, actor);
  if (!admission.admitted) return refusalOf(admission, 'not_allowed');
  const may = await mayRequest(deps, actor);
  if (may !== 'yes') return { ok: false, why: may };
  if (channelId !== undefined) {
    const access = await deps.people.channelAccess(channelId);
    if (!access.canPost) return { ok: false, why: 'cannot_post', channel: access.why };
  }
  const now = deps.clock.now();
  const draft: RequestDraft = {
    id: deps.newRequestId(),
    teamId: actor.teamId,
    userId: actor.userId,
    channelId,
    createdAt: now,
    expiresAt: now + DRAFT_TTL_MS,
  };
  await deps.drafts.create(draft);
  const missing: FormField[] = channelId === undefined ? ['channel', 'policy', 'volumes'] : ['policy', 'volumes'];
  return { ok: true, draft, preview: { kind: 'incomplete', missing }, approvers: undefined, reasonRequired: false };
}

/** The draft a modal names, only if it is the actor's own, in their workspace, and not expired. */
export async function loadDraft(
  deps: Pick<FlowDeps, 'drafts' | 'clock'>,
  draftId: RequestId | undefined,
  actor: Actor,
): Promise<RequestDraft | undefined> {
  if (draftId === undefined) return undefined;
  const draft = await deps.drafts.get(draftId, deps.clock.now());
  return draft !== undefined && draft.teamId === actor.teamId && draft.userId === actor.userId ? draft : undefined;
}

function commandOf(selection: FormSelection): AssociateCommand | undefined {
  if (selection.policyId === undefined) return undefined;
  const ids = selection.volumeIds.filter(isUuid);
  if (ids.length === 0 && selection.serverId === undefined) return undefined;
  return {
    kind: 'associate',
    policy: { kind: 'id', id: selection.policyId.toLowerCase() },
    volumes: ids.map((id) => ({ kind: 'id', id: asVolumeId(id) })),
    server: selection.serverId,
    move: selection.move,
    backupNow: selection.backupNow,
    project: selection.projectName,
    reason: selection.reason,
    dryRun: false,
    notes: [],
  };
}

function channelOf(draft: RequestDraft, selection: FormSelection): ChannelRef | undefined {
  const id = draft.channelId ?? selection.channelId;
  return id === undefined ? undefined : { id, name: undefined };
}

function missingFields(draft: RequestDraft, selection: FormSelection): FormField[] {
  const missing: FormField[] = [];
  if (draft.channelId === undefined && selection.channelId === undefined) missing.push('channel');
  if (selection.policyId === undefined) missing.push('policy');
  if (selection.volumeIds.length === 0 && selection.serverId === undefined) missing.push('volumes');
  return missing;
}

/** Checks the form as it stands, reading the cloud through `deps.cloud` (the cache, or the live cloud on submit). */
async function checkForm(
  deps: Pick<FlowDeps, 'config' | 'cloud' | 'people' | 'queries' | 'clock' | 'workspaces'>,
  draft: RequestDraft,
  selection: FormSelection,
): Promise<PreviewOutcome> {
  const missing = missingFields(draft, selection);
  const cmd = commandOf(selection);
  const channel = channelOf(draft, selection);
  if (missing.length > 0 || cmd === undefined || channel === undefined) return { kind: 'incomplete', missing };
  const actor = { teamId: draft.teamId, userId: draft.userId };
  return checkRequest(deps, actor, channel, cmd, {
    unusableVolumes: 'exclude',
    // A channel picked in the form is user input; the one it was opened in, the person may have left since.
    notInChannel:
      draft.channelId === undefined
        ? 'You are not in that channel: pick one you are in (the record goes there).'
        : 'You are no longer in the channel this form was opened in, where the record goes: open the form again from a channel you are in.',
  });
}

function reasonRequired(preview: PreviewOutcome): boolean {
  if (preview.kind === 'invalid') return preview.problems.some((p) => p.field === 'reason');
  if (preview.kind !== 'checked') return false;
  return preview.checked.reasonRequiredBy !== undefined;
}

/**
 * What the form would do now, for the actor's own draft (undefined for anyone else's, and while
 * the person is at their limit: a redraw counts nothing towards it). Read from the form's copy of
 * the cloud, so a change in the form costs no cloud call.
 */
export async function previewForm(
  deps: FormDeps,
  actor: Actor,
  draftId: RequestId | undefined,
  selection: FormSelection,
): Promise<FormPreview | undefined> {
  if (!admitFollowUp(deps, actor).admitted) return undefined;
  const draft = await loadDraft(deps, draftId, actor);
  if (draft === undefined) return undefined;
  const preview = await checkForm({ ...deps, cloud: deps.formCloud }, draft, selection);
  const approvers = preview.kind === 'checked' ? approversFor(deps.config, preview.checked.decision) : undefined;
  return { draft, preview, approvers, reasonRequired: reasonRequired(preview) };
}

/**
 * Submits the actor's own form (undefined for anyone else's): every check again against the live
 * cloud, then the request is recorded under the draft's id (a second submit finds it) and carried
 * on, like a typed one.
 */
export async function submitForm(
  deps: FormDeps & Pick<FlowDeps, 'requests' | 'outbox' | 'executor' | 'work'>,
  actor: Actor,
  draftId: RequestId | undefined,
  selection: FormSelection,
): Promise<{ readonly draft: RequestDraft; readonly outcome: SubmitOutcome } | undefined> {
  const admission = admitRequest(deps, actor);
  if (!admission.admitted && admission.why === 'other_workspace') return undefined;
  const draft = await loadDraft(deps, draftId, actor);
  if (draft === undefined) return undefined;
  if (!admission.admitted) return { draft, outcome: { kind: 'rate_limited', rate: admission.rate } };
  const checked = await checkForm({ ...deps, cloud: deps.formCloud.forSubmit() }, draft, selection);
  if (checked.kind !== 'checked') return { draft, outcome: checked };
  const channel = channelOf(draft, selection);
  if (channel === undefined) return { draft, outcome: { kind: 'incomplete', missing: ['channel'] } };
  const outcome = await recordRequest(deps, actor, channel, checked.checked, {
    id: draft.id,
    reason: selection.reason,
    dedupeKey: `form:${draft.id}`,
  });
  return { draft, outcome };
}
