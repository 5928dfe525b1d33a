import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import type { ConfigFile } from './file-schema';
import { fileSchema } from './file-schema';

/** Where loadConfig reads the configuration file from. */
export interface ConfigSources {
  readonly readFile: (path: string) => string;
}

/** Schema issues as `key.path: message` lines (`(root)` for the whole value). */
export function describeIssues(issues: readonly z.core.$ZodIssue[], prefix: string): string[] {
  return issues.map((i) => `${[prefix, ...i.path.map(String)].filter(Boolean).join('.') || '(root)'}: ${i.message}`);
}

/** Reads, parses and validates the YAML file: its contents, or the problems found with it. */
export function readConfigFile(path: string, sources: ConfigSources): ConfigFile | string[] {
  let text: string;
  try {
    text = sources.readFile(path);
  } catch (e) {
    const code = (e as { code?: string }).code;
    return [
      `BACKUP_BOT_CONFIG: cannot read ${path} (${code ?? 'error'}); copy backup-bot.example.yml there or point BACKUP_BOT_CONFIG at your file`,
    ];
  }
  let raw: unknown;
  try {
    raw = parseYaml(text, { prettyErrors: true, uniqueKeys: true });
  } catch (e) {
    const where = e instanceof YAMLParseError && e.linePos ? ` at line ${e.linePos[0].line}` : '';
    return [`${path}: not valid YAML${where}`];
  }
  const parsed = fileSchema.safeParse(raw ?? {});
  return parsed.success ? parsed.data : describeIssues(parsed.error.issues, '');
}
