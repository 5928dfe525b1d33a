import { formatSandboxBanner } from './banner';
import { DEFAULT_CBR_PROJECT_ID } from './cbr-seed';
import { DEFAULT_PROJECT_ID } from './seed';
import { startSandbox } from './server';
import type { SandboxOptions } from './types';

export const CLI_USAGE =
  'usage: node dist/sandbox/cli.js [--port N] [--host H] [--cbr]\n  --port N  port to listen on (0-65535, default 0: a free port)\n  --host H  address to bind (default 127.0.0.1)\n  --cbr     add a second project, sandbox-cbr, that backs up with CBR vaults';

export interface CliOptions {
  readonly port: number;
  readonly host: string;
  /** Set (true) by `--cbr`. */
  readonly cbr?: true;
}

/** What `--cbr` adds: a second project, seeded with CBR vaults and policies. */
export const CLI_CBR_PROJECT = { id: DEFAULT_CBR_PROJECT_ID, name: 'sandbox-cbr', backupService: 'cbr' } as const;

/** The sandbox options the CLI's options stand for. */
export function sandboxOptionsOf(options: CliOptions): SandboxOptions {
  const { port, host } = options;
  return options.cbr === true
    ? { port, host, projects: [{ id: DEFAULT_PROJECT_ID }, { ...CLI_CBR_PROJECT }] }
    : { port, host };
}

export type CliParseResult =
  | { readonly kind: 'run'; readonly options: CliOptions }
  | { readonly kind: 'help' }
  | { readonly kind: 'error'; readonly message: string };

/** Parses `--port N`, `--port=N`, `--host H`, `--host=H`, `--cbr`, `--help`. Pure. */
export function parseCliArgs(argv: readonly string[]): CliParseResult {
  let port = 0;
  let host = '127.0.0.1';
  let cbr = false;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') return { kind: 'help' };
    if (arg === '--cbr') {
      cbr = true;
      continue;
    }
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? splitOnce(arg) : [arg, undefined];
    if (flag !== '--port' && flag !== '--host') return { kind: 'error', message: `unknown argument: ${arg}` };
    const value = inline ?? argv[(i += 1)];
    if (value === undefined || value === '' || (inline === undefined && value.startsWith('--'))) {
      return { kind: 'error', message: `${flag} needs a value` };
    }
    if (flag === '--host') host = value;
    else if (/^\d+$/.test(value) && Number(value) <= 65535) port = Number(value);
    else return { kind: 'error', message: `--port must be an integer from 0 to 65535, got '${value}'` };
  }
  return { kind: 'run', options: { port, host, ...(cbr ? { cbr: true as const } : {}) } };
}

function splitOnce(arg: string): [string, string] {
  const at = arg.indexOf('=');
  return [arg.slice(0, at), arg.slice(at + 1)];
}

/** Starts the sandbox, prints the banner, serves until SIGINT/SIGTERM. Resolves with the exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const parsed = parseCliArgs(argv);
  if (parsed.kind === 'help') {
    console.log(CLI_USAGE);
    return 0;
  }
  if (parsed.kind === 'error') {
    console.error(`${parsed.message}\n${CLI_USAGE}`);
    return 2;
  }
  let sandbox;
  try {
    sandbox = await startSandbox(sandboxOptionsOf(parsed.options));
  } catch (error) {
    console.error(`could not start the sandbox: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  console.log(formatSandboxBanner(sandbox));
  const running = sandbox;
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      console.log(`\n${signal}: stopping the sandbox`);
      void running.stop().then(() => {
        console.log('sandbox stopped');
        resolve();
      });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  return 0;
}

if (require.main === module) {
  void runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
