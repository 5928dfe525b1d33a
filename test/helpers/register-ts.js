// A minimal require hook so a child process can run the TypeScript sources without a build step:
//   node -r ./test/helpers/register-ts.js src/main.ts
// Each .ts file is transpiled on load with the installed `typescript` (no type check: that is
// `npm run typecheck`'s job), the way ts-jest's transpile-only mode does it for the tests.
'use strict';
const { createHash } = require('node:crypto');
const { mkdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const compilerOptions = {
  module: 'commonjs',
  target: 'es2022',
  esModuleInterop: true,
  resolveJsonModule: true,
  // Stack traces point at the .ts lines when node runs with --enable-source-maps.
  inlineSourceMap: true,
  inlineSources: true,
};

// Transpiling ~100 files takes seconds; tests start the bot many times, so the output is cached
// on disk by file name, source text, TypeScript version and options (like ts-jest's cache).
const tsVersion = require('typescript/package.json').version;
const cacheDir = join(tmpdir(), 'otc-backup-bot-register-ts');

function transpile(source, filename) {
  const key = createHash('sha256')
    .update(JSON.stringify([filename, tsVersion, compilerOptions]))
    .update(source)
    .digest('hex');
  const cached = join(cacheDir, `${key}.js`);
  try {
    return readFileSync(cached, 'utf8');
  } catch {
    // not cached yet
  }
  const ts = require('typescript'); // loaded only on a cache miss (it takes half a second)
  const { outputText } = ts.transpileModule(source, { compilerOptions, fileName: filename });
  mkdirSync(cacheDir, { recursive: true });
  // Write then rename: a process starting at the same time never reads a half-written file.
  const partial = `${cached}.${process.pid}`;
  writeFileSync(partial, outputText);
  renameSync(partial, cached);
  return outputText;
}

require.extensions['.ts'] = (module, filename) => {
  // `_compile` is what Node's own .js loader runs a module's source with.
  module._compile(transpile(readFileSync(filename, 'utf8'), filename), filename);
};
