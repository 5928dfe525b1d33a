import type { IncomingMessage } from 'node:http';
import { beforeDeadline } from '../flow/deadline';
import type { Clock } from '../flow/ports';
import type { ScheduledTask } from '../flow/scheduler';
import type { FieldLogger } from '../log/fields';
import type { ReplayMemory } from '../store/request-store';
import { hasValidSlackSignature, SIGNATURE_WINDOW_S } from './slack-signature';

/**
 * How long an accepted signature is remembered: Bolt takes a timestamp up to five minutes old and
 * isFromTheFuture one up to five minutes ahead, so what is accepted now could pass both checks
 * again until at most ten minutes from now.
 */
export const REPLAY_MEMORY_MS = 2 * SIGNATURE_WINDOW_S * 1000;

/** What the replay check needs: the secret to tell a valid signature, and the store's memory of them. */
export interface ReplayGuard {
  readonly signingSecret: string;
  readonly replays: Pick<ReplayMemory, 'remember'>;
}

export interface Refusal {
  readonly status: number;
  readonly error: string;
}

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'unknown';
}

/** A request header's (first) value, as the HTTP face and the replay check read Slack's headers. */
export function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * What the replay check found: `unsigned`, no valid signature (Bolt's to refuse, and not
 * remembered); `refused`, a signature already received; `admitted`, a signed request seen for the
 * first time, or one the store could not check in time.
 */
export type ReplayVerdict =
  { readonly kind: 'unsigned' } | { readonly kind: 'admitted' } | ({ readonly kind: 'refused' } & Refusal);

const UNSIGNED: ReplayVerdict = { kind: 'unsigned' };
const ADMITTED: ReplayVerdict = { kind: 'admitted' };

/**
 * Remembers a validly signed request (`{timestamp}:{signature}`); a refusal when it arrived before.
 * Slack never sends a signature twice: it does not retry commands or interactivity, and its Events
 * API retries are signed anew. So a repeat is a replay, and it gets 401 as Bolt answers any request
 * that does not prove itself, rather than a 2xx that would tell its sender it got through. A request
 * without a valid signature is Bolt's to refuse, and is not remembered (else anyone could fill the
 * table). When the store cannot remember, the request goes on: whatever a request changes is
 * recorded in that same store first, so it fails there too and the person is told "cannot record
 * requests right now" (a 503 here would show them only Slack's generic error). The gap left is a
 * store that fails for this one statement and answers the next.
 */
export async function checkReplay(
  req: IncomingMessage,
  body: Buffer,
  guard: ReplayGuard,
  { clock, logger }: { readonly clock: Clock; readonly logger: Pick<FieldLogger, 'warn'> },
): Promise<ReplayVerdict> {
  const timestamp = headerOf(req, 'x-slack-request-timestamp') ?? '';
  const signature = headerOf(req, 'x-slack-signature') ?? '';
  if (!hasValidSlackSignature(guard.signingSecret, timestamp, body, signature)) return UNSIGNED;
  const now = clock.now();
  try {
    // Before Bolt's ack: a store that hangs must not push the ack past Slack's 3 s.
    const first = await beforeDeadline(
      REPLAY_CHECK_BUDGET_MS,
      guard.replays.remember(`${timestamp}:${signature}`, now + REPLAY_MEMORY_MS, now),
    );
    if (first === 'late') {
      logger.warn('the replay check took too long: let the request through', {});
      return ADMITTED;
    }
    if (first) return ADMITTED;
  } catch (err) {
    logger.warn('could not remember a Slack request for the replay check: let it through', { code: codeOf(err) });
    return ADMITTED;
  }
  logger.warn('refused a replayed Slack request', { timestamp });
  return { kind: 'refused', status: 401, error: 'this signed request was already received' };
}

/** How long the replay check may wait for the store before the request goes on unchecked (as when it fails). */
export const REPLAY_CHECK_BUDGET_MS = 1000;

/** Drops the signatures remembered longer than any check would let their request through. */
export function forgetExpiredReplays(replays: Pick<ReplayMemory, 'deleteExpired'>, clock: Clock): ScheduledTask {
  return { name: 'replays', everyMs: REPLAY_MEMORY_MS / 2, run: () => replays.deleteExpired(clock.now()) };
}
