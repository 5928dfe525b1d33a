import { checkTeam, checkUnnamedAccount } from '../domain/access-rules';
import type { AssociateCommand } from '../domain/command-grammar';
import type { RequestId } from '../domain/ids';
import { asVolumeId, isUuid } from '../domain/ids';
import type { RequestDraft } from '../store/request-store';
import type { Asker, CheckOutcome } from './check-request';
import { checkRequest } from './check-request';
import type { ChannelAccess } from './ports';
import type { SubmitDeps, SubmitOutcome } from './submit-associate';
import { recordRequest } from './submit-associate';

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
}

export type OpenResult =
  | { readonly ok: true; readonly draft: RequestDraft }
  | { readonly ok: false; readonly why: 'not_allowed' | 'unknown_user' }
  | {
      readonly ok: false;
      readonly why: 'cannot_post';
      readonly channel: Extract<ChannelAccess, { canPost: false }>['why'];
    };

/**
 * May this person request anything at all? The workspace must be allowed, Slack must know them,
 * and a guest or bot must be named by some rule. (What they may request is decided per request.)
 */
export async function mayRequest(
  deps: SubmitDeps,
  teamId: string,
  userId: string,
): Promise<'not_allowed' | 'unknown_user' | 'yes'> {
  if (checkTeam(deps.config.access, teamId) !== undefined) return 'not_allowed';
  const facts = await deps.people.userFacts(userId);
  if (facts === undefined || facts.deleted) return 'unknown_user';
  if (checkUnnamedAccount(deps.config.access, { id: userId, isGuest: facts.isGuest, isBot: facts.isBot }))
    return 'not_allowed';
  return 'yes';
}

/** Opens a form: a draft in the store whose id the modal carries (and nothing else). */
export async function openDraft(
  deps: SubmitDeps,
  actor: { teamId: string; userId: string; channelId: string | undefined },
): Promise<OpenResult> {
  const may = await mayRequest(deps, actor.teamId, actor.userId);
  if (may !== 'yes') return { ok: false, why: may };
  if (actor.channelId !== undefined) {
    const access = await deps.people.channelAccess(actor.channelId);
    if (!access.canPost) return { ok: false, why: 'cannot_post', channel: access.why };
  }
  const now = deps.clock.now();
  const draft: RequestDraft = {
    id: deps.newRequestId(),
    teamId: actor.teamId,
    userId: actor.userId,
    channelId: actor.channelId,
    createdAt: now,
    expiresAt: now + DRAFT_TTL_MS,
  };
  await deps.store.drafts.create(draft);
  return { ok: true, draft };
}

/** The draft a modal names, only if it is the submitter's own, in their workspace, and not expired. */
export async function loadDraft(
  deps: SubmitDeps,
  draftId: RequestId | undefined,
  actor: { teamId: string; userId: string },
): Promise<RequestDraft | undefined> {
  if (draftId === undefined) return undefined;
  const draft = await deps.store.drafts.get(draftId, deps.clock.now());
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
    project: selection.projectName,
    reason: selection.reason,
    dryRun: false,
    notes: [],
  };
}

function askerOf(draft: RequestDraft, selection: FormSelection): Asker | undefined {
  const channelId = draft.channelId ?? selection.channelId;
  return channelId === undefined
    ? undefined
    : { teamId: draft.teamId, userId: draft.userId, channelId, channelName: undefined };
}

export type PreviewOutcome =
  CheckOutcome | { readonly kind: 'incomplete'; readonly missing: readonly ('channel' | 'policy' | 'volumes')[] };

function missingFields(draft: RequestDraft, selection: FormSelection): ('channel' | 'policy' | 'volumes')[] {
  const missing: ('channel' | 'policy' | 'volumes')[] = [];
  if (draft.channelId === undefined && selection.channelId === undefined) missing.push('channel');
  if (selection.policyId === undefined) missing.push('policy');
  if (selection.volumeIds.length === 0 && selection.serverId === undefined) missing.push('volumes');
  return missing;
}

/** What the form would do now; `deps.cloud` is the cache here, so a keystroke costs no cloud call. */
export async function previewForm(
  deps: SubmitDeps,
  draft: RequestDraft,
  selection: FormSelection,
): Promise<PreviewOutcome> {
  const missing = missingFields(draft, selection);
  const cmd = commandOf(selection);
  const asker = askerOf(draft, selection);
  if (missing.length > 0 || cmd === undefined || asker === undefined) return { kind: 'incomplete', missing };
  // A channel picked in the form is user input: it only counts (for the rules, and as the place
  // of the record) if the person is in it, as they are in a channel a command was typed in.
  if (draft.channelId === undefined) {
    const member = await deps.people.isMember(asker.channelId, asker.userId);
    if (member !== true) {
      const text =
        member === false
          ? 'You are not in that channel: pick one you are in (the record goes there).'
          : 'Slack could not tell me whether you are in that channel. Please try again.';
      return { kind: 'invalid', problems: [{ field: 'channel', text }] };
    }
  }
  return checkRequest(deps, asker, cmd, 'exclude');
}

/**
 * Submits the form: every check again against the live cloud (`deps.cloud` is the client), then
 * the request is recorded under the draft's id, so submitting the same form twice records it once.
 */
export async function submitForm(
  deps: SubmitDeps,
  draft: RequestDraft,
  selection: FormSelection,
): Promise<SubmitOutcome | { kind: 'incomplete'; missing: readonly ('channel' | 'policy' | 'volumes')[] }> {
  const outcome = await previewForm(deps, draft, selection);
  if (outcome.kind !== 'checked') return outcome;
  const asker = askerOf(draft, selection)!;
  return recordRequest(deps, asker, outcome.checked, {
    id: draft.id,
    reason: selection.reason,
    dedupeKey: `form:${draft.id}`,
  });
}
