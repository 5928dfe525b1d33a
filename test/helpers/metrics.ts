/** The samples of a /metrics scrape: `name{labels}` -> value (labels as prom-client writes them, in its order). */
export async function scrapeMetrics(port: number): Promise<Map<string, number>> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  const samples = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    samples.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return samples;
}

/** The sum of every sample of `name` whose labels include all of `labels` (e.g. `outcome="accepted"`). */
export function sampleSum(samples: ReadonlyMap<string, number>, name: string, ...labels: string[]): number {
  let sum = 0;
  for (const [key, value] of samples) {
    const brace = key.indexOf('{');
    const metric = brace < 0 ? key : key.slice(0, brace);
    if (metric === name && labels.every((l) => key.includes(l))) sum += value;
  }
  return sum;
}
