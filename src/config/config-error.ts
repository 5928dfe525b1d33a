/** An invalid environment or configuration file. Lists what is wrong by key path, never a value. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }

  /** The key paths that are wrong (the part of each problem before its colon). */
  get paths(): string[] {
    return this.problems.map((p) => p.split(': ')[0] ?? p);
  }
}
