import fc from 'fast-check';
import type { VolumeId } from '../../src/domain/ids';
import { extraCallBudget, isResourceRefusal, sendAllOrNothing } from '../../src/otc/all-or-nothing';
import type { AllOrNothingCall } from '../../src/otc/all-or-nothing';
import { NOT_SENT_MESSAGE } from '../../src/otc/associate';
import { OtcAuthError, OtcHttpError, OtcNetworkError } from '../../src/otc/errors';
import type { OtcError } from '../../src/otc/errors';
import { makeVolumeIds } from './helpers';

const site = { method: 'POST', path: '/v3/p/vaults/v/addresources' };
const IN_OTHER_VAULT = 'BackupService.6103';

function refusal(code: string, message: string): OtcHttpError {
  return new OtcHttpError({ site, status: 400, otcCode: code, otcMessage: message });
}

/**
 * An all-or-nothing cloud: a call with any bad volume in it is refused with 6103 (naming the first
 * bad one when `naming`), any other call takes every volume. Records each call it got.
 */
function fakeVault(bad: ReadonlySet<VolumeId>, naming = false): { call: AllOrNothingCall; calls: VolumeId[][] } {
  const calls: VolumeId[][] = [];
  const call: AllOrNothingCall = (volumeIds) => {
    calls.push([...volumeIds]);
    const first = volumeIds.find((id) => bad.has(id));
    if (first === undefined) return Promise.resolve(1);
    return Promise.reject(
      refusal(
        IN_OTHER_VAULT,
        naming ? `Resource ${first} already in other vault.` : 'Resource already in other vault.',
      ),
    );
  };
  return { call, calls };
}

/** A call that fails as a whole with `error` on its `nth` send (1-based), and takes everything before. */
function failingOn(nth: number, error: OtcError, bad: ReadonlySet<VolumeId>): AllOrNothingCall {
  const vault = fakeVault(bad);
  let sends = 0;
  return (volumeIds, signal) => {
    sends += 1;
    return sends === nth ? Promise.reject(error) : vault.call(volumeIds, signal);
  };
}

describe('extraCallBudget', () => {
  it.each([
    [1, 2],
    [2, 4],
    [8, 8],
    [9, 10],
    [256, 18],
  ])('gives a chunk of %i volumes %i extra calls', (size, budget) => {
    expect(extraCallBudget(size)).toBe(budget);
  });
});

describe('sendAllOrNothing', () => {
  it('takes every volume with one call when the cloud takes the call', async () => {
    const ids = makeVolumeIds(5);
    const vault = fakeVault(new Set());
    const outcome = await sendAllOrNothing(ids, vault.call, undefined);
    expect(outcome).toEqual({ done: ids, failed: [], attempts: 1, error: undefined });
    expect(vault.calls).toEqual([ids]);
  });

  it('fails the volumes a refusal names, with its code and message, and sends the rest once more', async () => {
    const ids = makeVolumeIds(8);
    const [bad1, bad2] = [ids[2]!, ids[5]!];
    let calls = 0;
    const message = `Resources ${bad1.toUpperCase()}, ${bad2} already in other vault.`;
    const call: AllOrNothingCall = (volumeIds) => {
      calls += 1;
      return volumeIds.includes(bad1) ? Promise.reject(refusal(IN_OTHER_VAULT, message)) : Promise.resolve(1);
    };
    const outcome = await sendAllOrNothing(ids, call, undefined);
    expect(outcome.done).toEqual(ids.filter((id) => id !== bad1 && id !== bad2));
    expect(outcome.failed).toEqual([
      { volumeId: bad1, code: IN_OTHER_VAULT, message },
      { volumeId: bad2, code: IN_OTHER_VAULT, message },
    ]);
    expect(calls).toBe(2);
    expect(outcome.attempts).toBe(2);
  });

  it('keeps sending the rest while each refusal names one more volume', async () => {
    const ids = makeVolumeIds(6);
    const bad = new Set([ids[1]!, ids[4]!]);
    const vault = fakeVault(bad, true);
    const outcome = await sendAllOrNothing(ids, vault.call, undefined);
    expect(vault.calls.map((c) => c.length)).toEqual([6, 5, 4]);
    expect(outcome.failed.map((f) => f.volumeId)).toEqual([ids[1], ids[4]]);
    expect(outcome.failed[0]!.message).toBe(`Resource ${ids[1]!} already in other vault.`);
    expect(outcome.done).toHaveLength(4);
  });

  it('finds one refused volume among 8 by halving, within the budget', async () => {
    const ids = makeVolumeIds(8);
    const vault = fakeVault(new Set([ids[6]!]));
    const outcome = await sendAllOrNothing(ids, vault.call, undefined);
    expect(outcome.done).toEqual(ids.filter((id) => id !== ids[6]));
    expect(outcome.failed).toEqual([
      { volumeId: ids[6], code: IN_OTHER_VAULT, message: 'Resource already in other vault.' },
    ]);
    // 8 -> 4 + 4 -> 2 + 2 -> 1 + 1: the first call and two per halving.
    expect(vault.calls.map((c) => c.length)).toEqual([8, 4, 4, 2, 2, 1, 1]);
    expect(vault.calls.length - 1).toBeLessThanOrEqual(extraCallBudget(8));
    expect(outcome.attempts).toBe(7);
    expect(outcome.error).toBeUndefined();
  });

  it('fails the volumes not yet known with the refusal once the budget is spent', async () => {
    const ids = makeVolumeIds(8);
    const vault = fakeVault(new Set([ids[0]!, ids[2]!, ids[4]!, ids[6]!]));
    const outcome = await sendAllOrNothing(ids, vault.call, undefined);
    expect(vault.calls).toHaveLength(1 + extraCallBudget(8));
    expect(outcome.done).toEqual([ids[1], ids[3]]);
    // 5 and 7 are good, but the last call (4..7) was refused and there is no budget left to split it.
    expect(outcome.failed.map((f) => [f.volumeId, f.code])).toEqual(
      [0, 2, 4, 5, 6, 7].map((i) => [ids[i], IN_OTHER_VAULT]),
    );
  });

  it('fails one volume refused on its own without another call', async () => {
    const [only] = makeVolumeIds(1) as [VolumeId];
    const vault = fakeVault(new Set([only]));
    const outcome = await sendAllOrNothing([only], vault.call, undefined);
    expect(outcome.failed).toEqual([
      { volumeId: only, code: IN_OTHER_VAULT, message: 'Resource already in other vault.' },
    ]);
    expect(vault.calls).toHaveLength(1);
  });

  const retried503 = (): OtcHttpError => {
    const error = new OtcHttpError({ site, status: 503 });
    error.attempts = 4;
    return error;
  };

  it.each<[string, () => OtcError, string, number]>([
    ['503 after the core retried', retried503, 'HTTP 503', 4],
    ['no answer', () => new OtcNetworkError(site, 'connection reset by peer'), 'OTC_NETWORK', 1],
    ['credentials refused', () => new OtcAuthError(site, 401, 'the request signature was refused'), 'OTC_AUTH', 1],
    ['403', () => new OtcHttpError({ site, status: 403 }), 'HTTP 403', 1],
    [
      'invalid vault (9900)',
      () => refusal('BackupService.9900', 'Invalid vault_id provided.'),
      'BackupService.9900',
      1,
    ],
    ['an unknown code', () => refusal('BackupService.0001', 'No resource is available.'), 'BackupService.0001', 1],
  ])('fails the whole chunk at once, without halving, on %s', async (_title, makeError, code, attempts) => {
    const ids = makeVolumeIds(4);
    const error = makeError();
    let calls = 0;
    const outcome = await sendAllOrNothing(
      ids,
      () => {
        calls += 1;
        return Promise.reject(error);
      },
      undefined,
    );
    expect(calls).toBe(1);
    expect(outcome.done).toEqual([]);
    expect(outcome.failed.map((f) => f.code)).toEqual([code, code, code, code]);
    expect(outcome.error).toBe(error);
    expect(outcome.attempts).toBe(attempts);
  });

  it('stops halving at a whole-call failure: what was known stays, the rest fails with it', async () => {
    const ids = makeVolumeIds(8);
    // 1: refused (7 is bad); 2: 0..3 taken; 3: 4..7 fails with a 503.
    const outcome = await sendAllOrNothing(ids, failingOn(3, retried503(), new Set([ids[7]!])), undefined);
    expect(outcome.done).toEqual(ids.slice(0, 4));
    expect(outcome.failed.map((f) => [f.volumeId, f.code])).toEqual(ids.slice(4).map((id) => [id, 'HTTP 503']));
    expect(outcome.error).toMatchObject({ status: 503 });
    expect(outcome.attempts).toBe(1 + 1 + 4);
  });

  it('fails the volumes still unknown as not sent once the signal fired, without halving further', async () => {
    const ids = makeVolumeIds(4);
    const controller = new AbortController();
    const vault = fakeVault(new Set([ids[0]!]));
    const outcome = await sendAllOrNothing(
      ids,
      (volumeIds, signal) => {
        controller.abort();
        return vault.call(volumeIds, signal);
      },
      controller.signal,
    );
    expect(vault.calls).toHaveLength(1);
    expect(outcome.failed).toEqual(
      ids.map((volumeId) => ({ volumeId, code: 'OTC_ABORTED', message: NOT_SENT_MESSAGE })),
    );
  });

  it('counts every send, the core retries of each call included', async () => {
    const ids = makeVolumeIds(2);
    let first = true;
    const outcome = await sendAllOrNothing(
      ids,
      (volumeIds) => {
        if (first) {
          first = false;
          const error = refusal(IN_OTHER_VAULT, 'Resource already in other vault.');
          error.attempts = 3;
          return Promise.reject(error);
        }
        return volumeIds.includes(ids[0]!) ? Promise.resolve(2) : Promise.reject(refusal(IN_OTHER_VAULT, 'no'));
      },
      undefined,
    );
    expect(outcome.attempts).toBe(3 + 2 + 1);
  });

  it('throws errors that are not cloud errors (bugs are not volume outcomes)', async () => {
    await expect(
      sendAllOrNothing(makeVolumeIds(2), () => Promise.reject(new TypeError('bug')), undefined),
    ).rejects.toThrow('bug');
  });

  it('treats only 4xx answers with a resource code as refusals of some volumes', () => {
    expect(isResourceRefusal(refusal('BackupService.6100', 'Resources of vault over limit: 256.'))).toBe(true);
    expect(isResourceRefusal(refusal('BackupService.6102', 'Resource not match vault resource type.'))).toBe(true);
    expect(isResourceRefusal(refusal('BackupService.6104', 'Duplicate resource.'))).toBe(true);
    expect(isResourceRefusal(refusal('BackupService.6135', 'The resource does not exist in the vault.'))).toBe(true);
    expect(isResourceRefusal(new OtcHttpError({ site, status: 404, otcCode: 'BackupService.7000' }))).toBe(true);
    expect(isResourceRefusal(new OtcHttpError({ site, status: 500, otcCode: IN_OTHER_VAULT }))).toBe(false);
    expect(isResourceRefusal(refusal('BackupService.9900', 'Invalid vault_id provided.'))).toBe(false);
    expect(isResourceRefusal(new OtcNetworkError(site, 'reset'))).toBe(false);
  });
});

describe('sendAllOrNothing over any set of refused volumes', () => {
  const scenario = fc.integer({ min: 1, max: 40 }).chain((size) =>
    fc.record({
      size: fc.constant(size),
      bad: fc.uniqueArray(fc.nat({ max: size - 1 }), { maxLength: size }),
      naming: fc.boolean(),
    }),
  );

  it('reports each volume once, never adds a refused one, and fails a good one only when the budget is spent', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ size, bad, naming }) => {
        const ids = makeVolumeIds(size);
        const badIds = new Set(bad.map((i) => ids[i]!));
        const vault = fakeVault(badIds, naming);
        const outcome = await sendAllOrNothing(ids, vault.call, undefined);

        const reported = [...outcome.done, ...outcome.failed.map((f) => f.volumeId)];
        expect([...reported].sort()).toEqual([...ids].sort());
        expect(new Set(reported).size).toBe(ids.length);
        expect(outcome.done.filter((id) => badIds.has(id))).toEqual([]);
        expect(outcome.failed.every((f) => f.code === IN_OTHER_VAULT)).toBe(true);
        const budgetSpent = vault.calls.length === 1 + extraCallBudget(size);
        expect(vault.calls.length).toBeLessThanOrEqual(1 + extraCallBudget(size));
        if (!budgetSpent) expect(outcome.done).toEqual(ids.filter((id) => !badIds.has(id)));
        // One refused volume (or none) never costs a good one.
        if (badIds.size <= 1) expect(outcome.done).toEqual(ids.filter((id) => !badIds.has(id)));
        expect(outcome.attempts).toBe(vault.calls.length);
        expect(outcome.error).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });
});
