#!/usr/bin/env node
// `npm start`: builds if needed, then runs the bot in this same process. Not `build && node
// dist/main.js`: the shell between npm and the bot then stays, and a SIGTERM sent to npm ends
// the shell and leaves the bot running and holding its port. Here the signal reaches the bot,
// which stops cleanly (src/main.ts).
'use strict';
const { join } = require('node:path');
const { buildIfNeeded } = require('./build-if-needed');

const code = buildIfNeeded();
if (code !== 0) process.exit(code);
require(join(__dirname, '..', 'dist', 'main.js'));
