import { asProjectId } from '../../src/domain/ids';
import { createTokenCache } from '../../src/otc/token-cache';
import type { IssuedToken } from '../../src/otc/token-cache';
import type { ProjectRef } from '../../src/otc/types';
import { createFakeClock, PROJECT } from './helpers';

const HOUR = 3600_000;
const MINUTE = 60_000;

function setup(lifetimeMs = 24 * HOUR) {
  const clock = createFakeClock('2025-01-15T08:00:00Z');
  const issued: ProjectRef[] = [];
  let serial = 0;
  let release: (() => void) | undefined;
  let hold = false;
  const issue = async (project: ProjectRef): Promise<IssuedToken> => {
    issued.push(project);
    serial += 1;
    const token = { value: `token-${serial}`, expiresAt: new Date(clock.now() + lifetimeMs) };
    if (hold) await new Promise<void>((resolve) => (release = resolve));
    return token;
  };
  const cache = createTokenCache({ issue, clock });
  return {
    cache,
    clock,
    issued,
    holdNext: () => {
      hold = true;
    },
    release: () => {
      hold = false;
      release?.();
    },
  };
}

/** A cache whose IAM answers each issue in turn: a token valid for an hour, or 'fail' (IAM down); then fails. */
function issuing(...answers: string[]) {
  const clock = createFakeClock();
  let calls = 0;
  const cache = createTokenCache({
    clock,
    issue: () => {
      const answer = answers[calls] ?? 'fail';
      calls += 1;
      return answer === 'fail'
        ? Promise.reject(new Error('IAM down'))
        : Promise.resolve({ value: answer, expiresAt: new Date(clock.now() + HOUR) });
    },
  });
  return { clock, cache, calls: () => calls };
}

describe('token cache', () => {
  it('issues a token once and serves it from the cache until 10 minutes before expiry', async () => {
    const { cache, clock, issued } = setup(24 * HOUR);
    expect(await cache.getToken(PROJECT)).toBe('token-1');
    clock.advance(23 * HOUR + 49 * MINUTE);
    expect(await cache.getToken(PROJECT)).toBe('token-1');
    clock.advance(MINUTE);
    expect(await cache.getToken(PROJECT)).toBe('token-2');
    expect(issued).toHaveLength(2);
  });

  it('refreshes a short-lived token at half its lifetime at the latest', async () => {
    const { cache, clock } = setup(10 * MINUTE);
    expect(await cache.getToken(PROJECT)).toBe('token-1');
    clock.advance(4 * MINUTE + 59_000);
    expect(await cache.getToken(PROJECT)).toBe('token-1');
    clock.advance(1000);
    expect(await cache.getToken(PROJECT)).toBe('token-2');
  });

  it('shares one in-flight token request among 10 concurrent callers', async () => {
    const { cache, issued, holdNext, release } = setup();
    holdNext();
    const pending = Array.from({ length: 10 }, () => cache.getToken(PROJECT));
    await Promise.resolve();
    release();
    expect(await Promise.all(pending)).toEqual(Array(10).fill('token-1'));
    expect(issued).toHaveLength(1);
  });

  it('keeps one token per project id', async () => {
    const { cache, issued } = setup();
    const other: ProjectRef = { id: asProjectId('ffffffffffffffffffffffffffffffff'), region: 'eu-nl' };
    expect(await cache.getToken(PROJECT)).toBe('token-1');
    expect(await cache.getToken(other)).toBe('token-2');
    expect(await cache.getToken(PROJECT)).toBe('token-1');
    expect(issued.map((p) => p.id)).toEqual([PROJECT.id, other.id]);
  });

  it('drops a refused token, but not a newer one another caller already fetched', async () => {
    const { cache } = setup();
    expect(await cache.getToken(PROJECT)).toBe('token-1');
    cache.invalidate(PROJECT.id, 'token-1');
    expect(await cache.getToken(PROJECT)).toBe('token-2');
    cache.invalidate(PROJECT.id, 'token-1');
    expect(await cache.getToken(PROJECT)).toBe('token-2');
  });

  it('keeps serving a token that has not expired when refreshing it early fails, and not one that has', async () => {
    const { clock, cache, calls } = issuing('token-1', 'fail');
    expect(await cache.getToken(PROJECT)).toBe('token-1');
    // Inside the refresh window (10 minutes ahead), IAM fails: the token still has 5 minutes.
    clock.advance(55 * MINUTE);
    expect(await cache.getToken(PROJECT)).toBe('token-1');
    expect(calls()).toBe(2);
    // Expired: nothing to fall back on.
    clock.advance(5 * MINUTE);
    await expect(cache.getToken(PROJECT)).rejects.toThrow('IAM down');
  });

  it('does not cache a failed issue: the next caller tries again', async () => {
    const { cache } = issuing('fail', 'token-ok');
    await expect(cache.getToken(PROJECT)).rejects.toThrow('IAM down');
    expect(await cache.getToken(PROJECT)).toBe('token-ok');
  });
});
