import { randomBytes } from 'node:crypto';

/** How a run of a workflow step was ended: `functions.completeSuccess` (outputs) or `functions.completeError`. */
export type StandInStepEnd =
  | { readonly kind: 'success'; readonly outputs: Record<string, unknown> }
  | { readonly kind: 'error'; readonly error: string };

/** One run of a custom step, as Slack keeps it: its execution id, its own token, and how it ended. */
export interface StandInStepRun {
  readonly executionId: string;
  readonly workflowExecutionId: string;
  /** The run's `bot_access_token`: the only token `functions.complete*` take for it. */
  readonly token: string;
  /** Set by a test: Slack no longer takes the token, and answers this error. */
  revokedWith: string | undefined;
  ended: StandInStepEnd | undefined;
}

type Answer = Record<string, unknown>;

/**
 * The runs of workflow steps the stand-in started (the driver sends their `function_executed`), and
 * their completions as Slack answers them: with the run's own token only, once, until revoked.
 */
export class StandInSteps {
  readonly runs = new Map<string, StandInStepRun>();
  /** Every completion Slack accepted, in order. */
  readonly completions: ({ readonly executionId: string } & StandInStepEnd)[] = [];

  /** A new run: its execution id and token, as a `function_executed` event carries them. */
  start(): StandInStepRun {
    const id = randomBytes(5).toString('hex').toUpperCase();
    const run: StandInStepRun = {
      executionId: `Fx${id}`,
      workflowExecutionId: `Wx${id}`,
      token: `xwfp-standin-${randomBytes(8).toString('hex')}`,
      revokedWith: undefined,
      ended: undefined,
    };
    this.runs.set(run.executionId, run);
    return run;
  }

  /** From now on Slack refuses the run's token (it was revoked, or it lapsed) with `error`. */
  revoke(executionId: string, error = 'token_revoked'): void {
    const run = this.runs.get(executionId);
    if (run === undefined) throw new Error(`no step run ${executionId}`);
    run.revokedWith = error;
  }

  /** `functions.completeSuccess` / `functions.completeError`, called with `token`. */
  complete(method: 'functions.completeSuccess' | 'functions.completeError', args: Answer, token: string): Answer {
    const run = [...this.runs.values()].find((r) => r.token === token);
    if (run === undefined) return { ok: false, error: 'invalid_auth' };
    if (run.revokedWith !== undefined) return { ok: false, error: run.revokedWith };
    if (args['function_execution_id'] !== run.executionId) return { ok: false, error: 'access_denied' };
    if (run.ended !== undefined) return { ok: false, error: 'execution_not_in_running_state' };
    if (method === 'functions.completeError') {
      const error = args['error'];
      if (typeof error !== 'string' || error === '') return { ok: false, error: 'invalid_arguments' };
      run.ended = { kind: 'error', error };
    } else {
      const outputs = args['outputs'];
      if (outputs === null || typeof outputs !== 'object' || Array.isArray(outputs))
        return { ok: false, error: 'parameter_validation_failed' };
      run.ended = { kind: 'success', outputs: outputs as Record<string, unknown> };
    }
    this.completions.push({ executionId: run.executionId, ...run.ended });
    return { ok: true };
  }
}
