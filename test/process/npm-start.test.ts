import { createServer } from 'node:net';
import { spawnBotProcess } from '../helpers/bot-process';
import { ALLOW_SRE, deploymentEnv, deploymentYaml, dir, useProcessWorld } from './harness';

useProcessWorld();

/** Whether a server can bind the port now (nothing holds it any more). */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '0.0.0.0', () => probe.close(() => resolve(true)));
  });
}

describe('npm start', () => {
  it('stops with code 0 and frees its port when the npm process gets SIGTERM', async () => {
    const bot = spawnBotProcess({
      name: 'npm start',
      // npm wants a home for its cache and logs; the bot reads nothing of it.
      env: { ...deploymentEnv(), HOME: process.env['HOME'] ?? dir },
      yaml: deploymentYaml(ALLOW_SRE),
      dir,
      viaNpmStart: true,
    });
    // A first run may compile dist/ before the bot starts.
    const port = await bot.waitUntilReady(120_000);
    expect(await portIsFree(port)).toBe(false);

    // With a shell between npm and the bot (`build && node dist/main.js`), npm and the shell end
    // and the bot runs on holding the output pipes: this then waits until the test's timeout.
    expect(await bot.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(bot.logs().map((r) => r['msg'])).toEqual(expect.arrayContaining(['stopping', 'stopped']));
    expect(await portIsFree(port)).toBe(true);
  }, 180_000);
});
