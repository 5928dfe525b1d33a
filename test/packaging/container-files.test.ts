import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { deployedNodeFlags } from '../../bench/procs';

// No Docker engine runs these files in CI: this checks their shape, which is what a reader relies on.
const ROOT = join(__dirname, '..', '..');
const read = (name: string): string => readFileSync(join(ROOT, name), 'utf8');

/** The Dockerfile's instructions, continuation lines joined, comments dropped. */
function instructions(text: string): string[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

describe('Dockerfile', () => {
  const lines = instructions(read('Dockerfile'));
  const stages = lines.filter((l) => l.startsWith('FROM '));
  const finalStage = lines.slice(lines.lastIndexOf(stages[stages.length - 1] ?? ''));

  it('builds in a stage of its own: npm ci, then npm run build', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const ci = lines.indexOf('RUN npm ci');
    expect(ci).toBeGreaterThan(0);
    expect(lines.indexOf('RUN npm run build')).toBeGreaterThan(ci);
  });

  it('ships production dependencies and dist/ only, as a user that is not root', () => {
    expect(lines.some((l) => /^RUN npm (prune --omit=dev|ci --omit=dev)/.test(l))).toBe(true);
    expect(finalStage.filter((l) => l.startsWith('COPY --from=')).join('\n')).toMatch(/node_modules[\s\S]*dist/);
    expect(finalStage.some((l) => l.startsWith('RUN npm ci') || l.startsWith('COPY src'))).toBe(false);
    const user = finalStage.find((l) => l.startsWith('USER '));
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^USER (root|0)(:|$)/);
  });

  it('runs node dist/main.js as PID 1 (exec form, no shell or npm to swallow SIGTERM) and checks /healthz', () => {
    const cmd = JSON.parse((finalStage[finalStage.length - 1] ?? '').replace(/^CMD /, '')) as string[];
    expect([cmd[0], cmd[cmd.length - 1]]).toEqual(['node', 'dist/main.js']);
    expect(finalStage.find((l) => l.startsWith('HEALTHCHECK '))).toContain('/healthz');
  });

  it('runs node with the same flags as npm start, so the image behaves as measured', () => {
    const cmd = JSON.parse((finalStage[finalStage.length - 1] ?? '').replace(/^CMD /, '')) as string[];
    expect(cmd.slice(1, -1)).toEqual(deployedNodeFlags());
    expect(deployedNodeFlags()).toContain('--heap-growing-percent=50');
  });

  it('leaves node_modules, secrets and local databases out of the build context', () => {
    const ignored = read('.dockerignore').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', '.env', 'backup-bot.yml', '*.db']));
  });
});

describe('compose.yaml', () => {
  const compose = parse(read('compose.yaml')) as {
    services: Record<string, Record<string, unknown>>;
  };
  const bot = compose.services['bot'] ?? {};

  it('runs two bot replicas on the PostgreSQL service', () => {
    expect(bot['deploy']).toMatchObject({ replicas: 2 });
    const env = bot['environment'] as Record<string, string>;
    const url = new URL(env['DATABASE_URL'] ?? '');
    expect(url.protocol).toBe('postgres:');
    expect(Object.keys(compose.services)).toContain(url.hostname);
    expect(bot['depends_on']).toMatchObject({ [url.hostname]: { condition: 'service_healthy' } });
    // Ready means ready over the network, as the bots connect (not only on the Unix socket).
    expect(JSON.stringify(compose.services[url.hostname]?.['healthcheck'])).toMatch(/pg_isready -h 127\.0\.0\.1/);
    expect(bot['restart']).toBe('unless-stopped');
  });

  it('checks each replica on /healthz and publishes no fixed host port (two replicas could not share one)', () => {
    expect(JSON.stringify((bot['healthcheck'] as { test: unknown }).test)).toContain('/healthz');
    for (const port of (bot['ports'] as unknown[] | undefined) ?? []) expect(String(port)).not.toContain(':');
  });
});

describe('an install with dist/ and no src/ (the image)', () => {
  it('runs what is built: npm start and npm run check do not try to build', () => {
    const dir = mkdtempSync(join(tmpdir(), 'backup-bot-image-'));
    try {
      mkdirSync(join(dir, 'scripts'));
      mkdirSync(join(dir, 'dist'));
      copyFileSync(join(ROOT, 'scripts', 'build-if-needed.js'), join(dir, 'scripts', 'build-if-needed.js'));
      writeFileSync(join(dir, 'dist', 'main.js'), '');
      const run = spawnSync(process.execPath, [join(dir, 'scripts', 'build-if-needed.js')], { encoding: 'utf8' });
      expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is what the Dockerfile ships: scripts/ beside dist/, and in the build stage before npm run build', () => {
    const lines = instructions(read('Dockerfile'));
    const last = lines.filter((l) => l.startsWith('FROM ')).at(-1) ?? '';
    expect(lines.slice(lines.lastIndexOf(last))).toContain('COPY scripts ./scripts');
    const build = lines.indexOf('RUN npm run build');
    expect(build).toBeGreaterThan(-1);
    expect(lines.slice(0, build)).toContain('COPY scripts ./scripts');
  });
});

describe('a build cut short (a SIGTERM to npm start while it compiles)', () => {
  it('is built again next time, not run half old and half new', () => {
    const dir = mkdtempSync(join(tmpdir(), 'backup-bot-cut-'));
    try {
      for (const sub of ['scripts', 'dist', 'src']) mkdirSync(join(dir, sub));
      copyFileSync(join(ROOT, 'scripts', 'build-if-needed.js'), join(dir, 'scripts', 'build-if-needed.js'));
      writeFileSync(join(dir, 'src', 'main.ts'), '');
      // Written by the build that was cut: newer than the sources, but the build never said it finished.
      writeFileSync(join(dir, 'dist', 'main.js'), '');
      const run = spawnSync(process.execPath, [join(dir, 'scripts', 'build-if-needed.js')], { encoding: 'utf8' });
      // It would build (this copy has no TypeScript to build with, so it says so and stops).
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('its last build did not finish');
      // A finished build marks itself: then it runs.
      writeFileSync(join(dir, 'dist', '.build-complete'), '');
      const again = spawnSync(process.execPath, [join(dir, 'scripts', 'build-if-needed.js')], { encoding: 'utf8' });
      expect({ status: again.status, stderr: again.stderr }).toEqual({ status: 0, stderr: '' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
