import type { RequestAction } from './backup-request';
import type { RequestId, VolumeId } from './ids';
import { asVolumeId, isUuid, parseRequestId } from './ids';
import type { Result } from './result';
import { err, ok } from './result';
import type { Token } from './tokenize';
import { decodeSlackEntities, tokenize } from './tokenize';
import { ASSOCIATE_USAGE, AUDIT_USAGE, DISASSOCIATE_USAGE, HELP_TEXT, STATUS_USAGE } from './usage';

export type VolumeRef =
  { readonly kind: 'id'; readonly id: VolumeId } | { readonly kind: 'name'; readonly name: string };
export type PolicyRef = { readonly kind: 'id'; readonly id: string } | { readonly kind: 'name'; readonly name: string };

/** `/backup associate …` or `/backup disassociate …`: the same grammar, one action each. */
export interface AssociateCommand {
  readonly kind: RequestAction;
  /** A backup policy (VBS project) or a vault (CBR project), by name or id. */
  readonly policy: PolicyRef;
  readonly volumes: readonly VolumeRef[];
  /** `--server NAME|ID`: every volume attached to that server, frozen into ids when the request is made. */
  readonly server: string | undefined;
  readonly project: string | undefined;
  readonly reason: string | undefined;
  readonly dryRun: boolean;
  /** `--move` (associate on CBR): a volume in another vault is moved here, with its backups. */
  readonly move: boolean;
  /** `--now` (associate): back the target up right after the volumes are added. */
  readonly backupNow: boolean;
  /** Things the user should know that are not errors, e.g. duplicates that were dropped. */
  readonly notes: readonly string[];
}

export type BackupCommand =
  | { readonly kind: 'help' }
  | { readonly kind: 'open_modal' }
  | AssociateCommand
  | { readonly kind: 'status'; readonly requestId: RequestId }
  /** `/backup status <volume> [--project NAME]`: which policy or vault holds it, and its last backup. */
  | { readonly kind: 'volume_status'; readonly volume: VolumeRef; readonly project: string | undefined }
  | { readonly kind: 'audit'; readonly days: number };

export const AUDIT_DEFAULT_DAYS = 7;
export const AUDIT_MAX_DAYS = 90;

export interface CommandError {
  readonly message: string;
  readonly usage: string;
}

export interface GrammarOptions {
  readonly maxVolumes: number;
}

const SUBCOMMANDS = ['associate', 'disassociate', 'status', 'audit', 'help'] as const;
const VALUE_FLAGS = new Set(['project', 'reason', 'server']);
/** Flags without a value, and the subcommands they belong to. */
const BOOLEAN_FLAGS: ReadonlyMap<string, readonly RequestAction[]> = new Map([
  ['dry-run', ['associate', 'disassociate']],
  ['move', ['associate']],
  ['now', ['associate']],
]);
/** Looks like an attempt at an id (8 hex digits and a dash, or the 8-4-4-4-12 shape) but is not a UUID. */
const ID_LIKE = /^(?:[0-9a-f]{8}-[0-9a-f-]*|[0-9a-z]{8}(?:-[0-9a-z]{4}){3}-[0-9a-z]{12})$/i;

function fail(message: string, usage = ASSOCIATE_USAGE): Result<never, CommandError> {
  return err({ message, usage });
}

/** macOS and iOS turn `--` into an em or en dash; read those as `--`. */
function flagName(token: Token): string | undefined {
  if (token.quoted) return undefined;
  const m = /^(?:--|—|–)([A-Za-z][\w-]*)(?:=|$)/.exec(token.text);
  return m?.[1]?.toLowerCase();
}

export function parseBackupCommand(text: string, options: GrammarOptions): Result<BackupCommand, CommandError> {
  const tokenized = tokenize(decodeSlackEntities(text));
  if (!tokenized.ok) return fail(`I could not read that: ${tokenized.error}.`, HELP_TEXT);
  const [first, ...rest] = tokenized.value;
  if (first === undefined) return ok({ kind: 'help' });
  const sub = first.text.toLowerCase();
  if (sub === 'help' || sub === '--help' || sub === '-h') return ok({ kind: 'help' });
  if (sub === 'associate')
    return rest.length === 0 ? ok({ kind: 'open_modal' }) : parseVolumes('associate', rest, options);
  if (sub === 'disassociate') {
    return rest.length === 0
      ? fail('Which policy or vault, and which volumes? Name them after `disassociate`.', DISASSOCIATE_USAGE)
      : parseVolumes('disassociate', rest, options);
  }
  if (sub === 'status') return parseStatus(rest);
  if (sub === 'audit') return parseAudit(rest);
  const guess = SUBCOMMANDS.find((s) => editDistance(s, sub) <= 2);
  const hint = guess ? ` Did you mean \`${guess}\`?` : '';
  return fail(`\`${first.text}\` is not a /backup subcommand.${hint}`, HELP_TEXT);
}

const FLAG_EXAMPLES: Record<string, string> = { reason: '"INC-4711 db disks"', project: 'prod', server: 'web-01' };

function parseVolumes(
  action: RequestAction,
  tokens: readonly Token[],
  options: GrammarOptions,
): Result<AssociateCommand, CommandError> {
  const usage = action === 'associate' ? ASSOCIATE_USAGE : DISASSOCIATE_USAGE;
  const refuse = (message: string) => err({ message, usage });
  const values = new Map<string, string>();
  const positional: Token[] = [];
  const flags = new Set<string>();
  // An index loop: a flag's value may be the next token, which the loop then skips.
  for (let i = 0, token = tokens[0]; token !== undefined; i += 1, token = tokens[i]) {
    const name = flagName(token);
    if (name === undefined) {
      if (!token.quoted && /^(?:-|—|–)/.test(token.text) && token.text.length > 1 && !/^-\d/.test(token.text)) {
        return refuse(`\`${token.text}\` is not an option of /backup ${action}.`);
      }
      positional.push(token);
      continue;
    }
    const eq = token.text.indexOf('=');
    const booleanFor = BOOLEAN_FLAGS.get(name);
    if (booleanFor?.includes(action) === true) {
      if (eq !== -1) return refuse(`\`--${name}\` takes no value.`);
      if (flags.has(name)) return refuse(`\`--${name}\` is given twice.`);
      flags.add(name);
      continue;
    }
    if (!VALUE_FLAGS.has(name)) return refuse(`\`--${name}\` is not an option of /backup ${action}.`);
    if (values.has(name)) return refuse(`\`--${name}\` is given twice.`);
    const { value, consumed } = flagValue(token, tokens[i + 1]);
    if (consumed) i += 1;
    if (value === undefined || value.trim() === '')
      return refuse(`\`--${name}\` needs a value, e.g. --${name} ${FLAG_EXAMPLES[name] ?? 'x'}.`);
    values.set(name, value.trim());
  }

  const [policyToken, ...volumeTokens] = positional;
  if (policyToken === undefined)
    return refuse('Which backup policy or vault? Name a policy (or vault), then the volumes.');
  const policyText = policyToken.text.trim();
  if (policyText === '' || policyText.includes(','))
    return refuse(
      `\`${policyToken.text}\` is not a policy or vault name: name one policy (or vault) first, then the volumes.`,
    );
  const policy: PolicyRef = isUuid(policyText)
    ? { kind: 'id', id: policyText.toLowerCase() }
    : { kind: 'name', name: policyText };

  const volumes = parseVolumeRefs(volumeTokens);
  if (!volumes.ok) return volumes;
  const { refs, duplicates } = volumes.value;
  if (refs.length === 0 && !values.has('server')) {
    return refuse(`Which volumes? Name at least one volume after \`${policyText}\`, or a server with --server.`);
  }
  if (refs.length > options.maxVolumes) {
    return refuse(
      `That is ${refs.length} volumes; one request may hold at most ${options.maxVolumes}. Split it into several requests.`,
    );
  }
  const notes = duplicates.length === 0 ? [] : [`Named more than once, counted once: ${duplicates.join(', ')}.`];
  return ok({
    kind: action,
    policy,
    volumes: refs,
    server: values.get('server'),
    project: values.get('project'),
    reason: values.get('reason'),
    dryRun: flags.has('dry-run'),
    move: flags.has('move'),
    backupNow: flags.has('now'),
    notes,
  });
}

/**
 * A value flag's value: after its `=`, else the next token unless that is a flag itself (then the
 * flag has none: `--project --dry-run` is a missing value, not a project named "--dry-run").
 * `consumed`: whether the next token was taken.
 */
function flagValue(
  token: Token,
  next: Token | undefined,
): { readonly value: string | undefined; readonly consumed: boolean } {
  const eq = token.text.indexOf('=');
  if (eq !== -1) return { value: token.text.slice(eq + 1), consumed: false };
  if (next !== undefined && flagName(next) === undefined) return { value: next.text, consumed: true };
  return { value: undefined, consumed: false };
}

function parseStatus(tokens: readonly Token[]): Result<BackupCommand, CommandError> {
  const positional: Token[] = [];
  let project: string | undefined;
  // An index loop: a flag's value may be the next token, which the loop then skips.
  for (let i = 0, token = tokens[0]; token !== undefined; i += 1, token = tokens[i]) {
    const name = flagName(token);
    if (name === undefined) {
      positional.push(token);
      continue;
    }
    if (name !== 'project') return fail(`\`${token.text}\` is not an option of /backup status.`, STATUS_USAGE);
    if (project !== undefined) return fail('`--project` is given twice.', STATUS_USAGE);
    const { value, consumed } = flagValue(token, tokens[i + 1]);
    if (consumed) i += 1;
    if (value === undefined || value.trim() === '')
      return fail('`--project` needs a value, e.g. --project prod.', STATUS_USAGE);
    project = value.trim();
  }
  const [first, ...rest] = positional;
  if (first === undefined)
    return fail('Which request or volume? Give a request id like `r-7kq2m9xa`, or a volume name or id.', STATUS_USAGE);
  if (rest.length > 0) return fail('Give one request id, or one volume.', STATUS_USAGE);
  const requestId = parseRequestId(first.text);
  if (requestId !== undefined) {
    if (project !== undefined) return fail('`--project` goes with a volume, not a request id.', STATUS_USAGE);
    return ok({ kind: 'status', requestId });
  }
  const text = first.text.trim();
  if (isUuid(text)) return ok({ kind: 'volume_status', volume: { kind: 'id', id: asVolumeId(text) }, project });
  if (/^r-/i.test(text) || ID_LIKE.test(text))
    return fail(`\`${first.text}\` is neither a request id (like r-7kq2m9xa) nor a volume id.`, STATUS_USAGE);
  return ok({ kind: 'volume_status', volume: { kind: 'name', name: text }, project });
}

function parseAudit(tokens: readonly Token[]): Result<BackupCommand, CommandError> {
  let days: number | undefined;
  // An index loop: a flag's value may be the next token, which the loop then skips.
  for (let i = 0, token = tokens[0]; token !== undefined; i += 1, token = tokens[i]) {
    const name = flagName(token);
    if (name !== 'days') return fail(`\`${token.text}\` is not an option of /backup audit.`, AUDIT_USAGE);
    if (days !== undefined) return fail('`--days` is given twice.', AUDIT_USAGE);
    const eq = token.text.indexOf('=');
    const value = eq !== -1 ? token.text.slice(eq + 1) : tokens[(i += 1)]?.text;
    if (value === undefined || !/^\d+$/.test(value) || Number(value) < 1 || Number(value) > AUDIT_MAX_DAYS) {
      return fail(`\`--days\` takes a whole number from 1 to ${AUDIT_MAX_DAYS}.`, AUDIT_USAGE);
    }
    days = Number(value);
  }
  return ok({ kind: 'audit', days: days ?? AUDIT_DEFAULT_DAYS });
}

function parseVolumeRefs(tokens: readonly Token[]): Result<{ refs: VolumeRef[]; duplicates: string[] }, CommandError> {
  const refs: VolumeRef[] = [];
  const seen = new Set<string>();
  const duplicates: string[] = [];
  for (const token of tokens) {
    const parts = token.quoted ? [token.text] : token.text.split(',');
    for (const raw of parts) {
      const text = raw.trim();
      if (text === '') continue;
      let ref: VolumeRef;
      if (isUuid(text)) ref = { kind: 'id', id: asVolumeId(text) };
      else if (ID_LIKE.test(text)) {
        return fail(
          `\`${text}\` is not a valid volume id: an EVS volume id looks like 0f187b65-8d0e-4fc0-9096-3b55d330531e.`,
        );
      } else ref = { kind: 'name', name: text };
      const key = ref.kind === 'id' ? `id:${ref.id}` : `name:${ref.name}`;
      if (seen.has(key)) {
        if (!duplicates.includes(text)) duplicates.push(text);
        continue;
      }
      seen.add(key);
      refs.push(ref);
    }
  }
  return ok({ refs, duplicates });
}

/** Levenshtein distance, for "did you mean" on subcommands. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const cur = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur.push(Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}
