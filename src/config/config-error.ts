import { BotError } from '../domain/bot-error';
import { redactSecrets } from '../domain/redact';

/** An invalid environment or configuration file. Lists what is wrong by key path, never a value. */
export class ConfigError extends BotError {
  readonly code = 'CONFIG_INVALID';
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    // main.ts logs the problems on their own: a value that slipped into one must be masked there too.
    this.problems = problems.map(redactSecrets);
  }

  /** The key paths that are wrong (the part of each problem before its colon). */
  get paths(): string[] {
    return this.problems.map((p) => p.split(': ')[0] ?? p);
  }

  /** The details are for the operator (in the log), not for whoever happened to trigger the failure. */
  override userSafeSentence(): string {
    return 'The bot is misconfigured; its administrators have been told in the log.';
  }
}
