import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALLOW_SRE, deploymentEnv, deploymentYaml, dir, slack, useProcessWorld } from './harness';

useProcessWorld();

const ROOT = join(__dirname, '..', '..');

/** `npm run check`'s program, as a process of its own: its exit code and what it printed. */
function runCheck(env: Record<string, string>, yaml: string): Promise<{ code: number | null; out: string }> {
  const configPath = join(dir, 'check.yml');
  writeFileSync(configPath, yaml);
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['-r', join(ROOT, 'test', 'helpers', 'register-ts.js'), join(ROOT, 'src', 'check', 'main.ts')],
      { cwd: dir, env: { PATH: process.env['PATH'] ?? '', ...env, BACKUP_BOT_CONFIG: configPath } },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe('npm run check, from outside', () => {
  it('exits 0 and says so when the set-up is right', async () => {
    const { code, out } = await runCheck(deploymentEnv(), deploymentYaml(ALLOW_SRE));
    expect(out).toContain('The set-up looks right.');
    expect(code).toBe(0);
  });

  it('exits 1 with one line per problem, each with its fix, and no secret', async () => {
    slack.failNext('auth.test', { error: 'invalid_auth' });
    const env = deploymentEnv();
    const { code, out } = await runCheck(env, deploymentYaml(ALLOW_SRE));
    expect(code).toBe(1);
    expect(out).toMatch(/^problem: Slack refused the bot token \(auth\.test: invalid_auth\): set SLACK_BOT_TOKEN/m);
    expect(out).not.toContain(env['SLACK_BOT_TOKEN']);
    expect(out).not.toContain(env['OTC_PASSWORD']);
  });

  it('exits 1 on a configuration it cannot load, naming each wrong key', async () => {
    const { SLACK_BOT_TOKEN: _dropped, ...env } = deploymentEnv();
    const { code, out } = await runCheck(env, deploymentYaml(ALLOW_SRE));
    expect(code).toBe(1);
    expect(out).toContain('The configuration is invalid; fix these first:');
    expect(out).toMatch(/^- SLACK_BOT_TOKEN/m);
  });
});
