/**
 * Lets pending callbacks and I/O run until `done` holds: a bounded number of turns of the event
 * loop (setImmediate, which the tests never fake), never a timer, so it cannot depend on speed.
 */
export async function until(what: string, done: () => boolean): Promise<void> {
  for (let turn = 0; turn < 1000 && !done(); turn += 1) await new Promise((resolve) => setImmediate(resolve));
  if (!done()) throw new Error(`never happened: ${what}`);
}
