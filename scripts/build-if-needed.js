#!/usr/bin/env node
// Used by `npm start` (through scripts/start.js), `npm run check`, `npm run demo` and `npm run
// sandbox`: compiles src/ to dist/ when dist/ is missing or older than any source file, so a fresh
// clone runs with one command, and a deployed image built with `npm run build` (dev dependencies
// pruned, no src/) runs what is built.
'use strict';
const { existsSync, readdirSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { spawnSync } = require('node:child_process');

const root = join(__dirname, '..');
const marker = join(root, 'dist', 'main.js');
// Written once a build here has finished, removed as one starts: a build cut short (a SIGTERM to
// `npm start` while it compiles) leaves none, and the next run builds again rather than run a
// dist/ half old, half new.
const stamp = join(root, 'dist', '.build-complete');

/** The newest mtime under `dir`; 0 when there is no such directory (an image ships dist/ without src/). */
function newestSource(dir) {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Builds when dist/ is missing, stale or its last build did not finish (or always, for `npm run
 * build`); returns the exit code to stop with, 0 when dist/ can run.
 */
function buildIfNeeded({ always = false } = {}) {
  const hasSources = existsSync(join(root, 'src'));
  // Without src/ (an image: dist/ came from `npm run build`) there is nothing to build from.
  const builtAt = existsSync(stamp)
    ? statSync(stamp).mtimeMs
    : !hasSources && existsSync(marker)
      ? statSync(marker).mtimeMs
      : 0;
  const config = join(root, 'tsconfig.build.json');
  const sourcesAt = Math.max(newestSource(join(root, 'src')), existsSync(config) ? statSync(config).mtimeMs : 0);
  if (!always && builtAt >= sourcesAt) return 0;

  let tsc;
  try {
    tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
  } catch {
    if (builtAt > 0) {
      console.error('dist/ is older than src/ and TypeScript is not installed; running the existing build.');
      return 0;
    }
    console.error(
      'dist/ is missing, or its last build did not finish, and TypeScript is not installed: run `npm ci && npm run build` first.',
    );
    return 1;
  }
  rmSync(stamp, { force: true });
  const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  if (result.status !== 0) return result.status ?? 1;
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
  return 0;
}

module.exports = { buildIfNeeded };

if (require.main === module) process.exit(buildIfNeeded({ always: process.argv.includes('--always') }));
