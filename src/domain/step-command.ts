import type { AssociateCommand, CommandError, GrammarOptions } from './command-grammar';
import { parseBackupCommand } from './command-grammar';
import type { Result } from './result';
import { err, ok } from './result';
import { ASSOCIATE_USAGE } from './usage';

/** What the author of a workflow filled in for the "Protect volumes" step (blank optional fields left out). */
export interface StepInputs {
  /** A backup policy (VBS) or vault (CBR), by name or id. */
  readonly policy: string;
  /** The command's own volume list: ids or names, separated by spaces or commas. */
  readonly volumes: string;
  readonly server: string | undefined;
  readonly project: string | undefined;
  readonly reason: string | undefined;
}

/** The quote pairs the tokenizer reads (tokenize.ts), each with the characters that would end it early. */
const QUOTES: readonly { readonly open: string; readonly close: string; readonly enders: string }[] = [
  { open: '"', close: '"', enders: '"”“' },
  { open: '«', close: '»', enders: '»' },
  { open: '»', close: '«', enders: '«' },
];

/**
 * One word of a command line that the grammar reads back as exactly `value` and never as an option:
 * quoted with a pair the value does not end, and `&` written as Slack writes it (the grammar decodes
 * Slack's entities first). Undefined when the value holds an ender of every pair.
 */
export function quoteWord(value: string): string | undefined {
  const pair = QUOTES.find((q) => !Array.from(q.enders).some((c) => value.includes(c)));
  return pair && `${pair.open}${value.replace(/&/g, '&amp;')}${pair.close}`;
}

/**
 * The command a workflow step stands for, read by the command's own grammar: `associate <policy>
 * <volumes> --server … --project … --reason …`. The step's single-value fields are quoted (so none
 * can read as an option or split into two words); the volumes are the command's text as typed, so
 * they follow the same rules (and on a CBR project may end in `--move`). A step always makes its
 * request: a `--dry-run` among the volumes is refused.
 */
export function readStepCommand(inputs: StepInputs, options: GrammarOptions): Result<AssociateCommand, CommandError> {
  const words: string[] = [];
  const fields: readonly (readonly [flag: string | undefined, name: string, value: string | undefined])[] = [
    [undefined, 'policy', inputs.policy],
    ['--server', 'server', inputs.server],
    ['--project', 'project', inputs.project],
    ['--reason', 'reason', inputs.reason],
  ];
  for (const [flag, name, value] of fields) {
    if (value === undefined) continue;
    const word = quoteWord(value);
    if (word === undefined)
      return err({
        message: `The ${name} cannot hold both kinds of guillemets (« ») and a double quote.`,
        usage: ASSOCIATE_USAGE,
      });
    words.push(flag === undefined ? word : `${flag} ${word}`);
  }
  const [policy, ...flags] = words;
  const parsed = parseBackupCommand(['associate', policy, inputs.volumes, ...flags].join(' '), options);
  if (!parsed.ok) return parsed;
  const cmd = parsed.value;
  if (cmd.kind !== 'associate')
    return err({ message: 'Name a policy or vault and the volumes.', usage: ASSOCIATE_USAGE });
  if (cmd.dryRun)
    return err({
      message: 'A workflow step always makes its request: take `--dry-run` out of its volumes.',
      usage: ASSOCIATE_USAGE,
    });
  return ok(cmd);
}
