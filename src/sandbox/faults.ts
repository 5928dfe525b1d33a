import type { SandboxRoute } from './types';
import { SANDBOX_ROUTES } from './types';

/**
 * What goes wrong on the next call(s) of a route. `latencyMs` alone delays a normal answer; with
 * `status` or `drop` it delays the failure. `times` defaults to 1 (Infinity allowed).
 */
export interface Fault {
  readonly latencyMs?: number;
  /** 5xx, 4xx such as 403 (a permission the bot lacks), or 429 (then `retryAfterSeconds` sets the Retry-After header). */
  readonly status?: number;
  readonly retryAfterSeconds?: number;
  /** Destroy the socket without answering. */
  readonly drop?: true;
  /** Carry the call out, then answer 200 with a body cut off mid-JSON (the change happened; the answer is unreadable). */
  readonly malformed?: true;
  readonly times?: number;
}

interface PendingFault {
  readonly fault: Fault;
  remaining: number;
}

/** Per-route queues of faults; each request of a route consumes the first pending one. */
export class FaultInjector {
  private readonly queues = new Map<SandboxRoute, PendingFault[]>();

  inject(route: SandboxRoute, fault: Fault): void {
    validateFault(route, fault);
    const queue = this.queues.get(route) ?? [];
    queue.push({ fault, remaining: fault.times ?? 1 });
    this.queues.set(route, queue);
  }

  clear(): void {
    this.queues.clear();
  }

  /** How many faulted requests are still due on a route (Infinity for a permanent fault). */
  pending(route: SandboxRoute): number {
    return (this.queues.get(route) ?? []).reduce((sum, p) => sum + p.remaining, 0);
  }

  /** Used by the server: the fault for this request, consumed. */
  take(route: SandboxRoute): Fault | undefined {
    const queue = this.queues.get(route);
    const head = queue?.[0];
    if (queue === undefined || head === undefined) return undefined;
    head.remaining -= 1;
    if (head.remaining <= 0) queue.shift();
    return head.fault;
  }
}

function validateFault(route: SandboxRoute, fault: Fault): void {
  const problem = faultProblem(route, fault);
  if (problem !== undefined) throw new RangeError(`sandbox fault for ${route}: ${problem}`);
}

function faultProblem(route: SandboxRoute, fault: Fault): string | undefined {
  if (!SANDBOX_ROUTES.includes(route)) return `unknown route`;
  const { latencyMs, status, retryAfterSeconds, drop, malformed, times } = fault;
  if (latencyMs !== undefined && !(Number.isFinite(latencyMs) && latencyMs >= 0)) return 'latencyMs must be >= 0';
  if (status !== undefined && !(Number.isInteger(status) && status >= 400 && status <= 599)) {
    return 'status must be 4xx or 5xx';
  }
  if (retryAfterSeconds !== undefined && !(Number.isInteger(retryAfterSeconds) && retryAfterSeconds >= 0)) {
    return 'retryAfterSeconds must be a non-negative integer';
  }
  if (retryAfterSeconds !== undefined && status === undefined) return 'retryAfterSeconds needs a status';
  if ([drop === true, status !== undefined, malformed === true].filter(Boolean).length > 1)
    return 'drop, status and malformed exclude each other';
  if (latencyMs === undefined && status === undefined && drop !== true && malformed !== true)
    return 'a fault needs latencyMs, status, drop or malformed';
  if (times !== undefined && !(times === Infinity || (Number.isInteger(times) && times >= 1))) {
    return 'times must be a positive integer or Infinity';
  }
  return undefined;
}
