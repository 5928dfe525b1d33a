import { readFileSync } from 'node:fs';

/** The top self-time functions of a V8 .cpuprofile (as `node --cpu-prof` writes it). */
interface CpuProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
  readonly children?: readonly number[];
}

export interface CpuProfile {
  readonly nodes: readonly CpuProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface SelfTime {
  /** `name (file:line)`; the file relative to node_modules or the repository when it is in one. */
  readonly function: string;
  readonly selfMs: number;
  readonly percent: number;
}

function shortUrl(url: string): string {
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length);
  const dist = url.search(/\/(dist|src|bench)\//);
  if (dist >= 0) return url.slice(dist + 1);
  return url.replace(/^file:\/\//, '');
}

/** Self time by function (same name, file and line together), biggest first; `(idle)` is left out of the total. */
export function selfTimes(
  profile: CpuProfile,
  top = 25,
): { readonly busyMs: number; readonly idleMs: number; readonly rows: SelfTime[] } {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n] as const));
  const totals = new Map<string, number>();
  let idleMs = 0;
  let busyMs = 0;
  profile.samples.forEach((nodeId, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const node = byNode.get(nodeId);
    if (node === undefined) return;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') {
      idleMs += ms;
      return;
    }
    busyMs += ms;
    const key =
      url === ''
        ? functionName || '(anonymous)'
        : `${functionName || '(anonymous)'} (${shortUrl(url)}:${lineNumber + 1})`;
    totals.set(key, (totals.get(key) ?? 0) + ms);
  });
  const rows = [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([fn, ms]) => ({ function: fn, selfMs: ms, percent: busyMs > 0 ? (100 * ms) / busyMs : 0 }));
  return { busyMs, idleMs, rows };
}

export function readProfile(path: string): CpuProfile {
  return JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
}

if (require.main === module) {
  const path = process.argv[2];
  if (path === undefined) {
    console.error('usage: node -r ./test/helpers/register-ts.js bench/profile-summary.ts <file.cpuprofile> [top]');
    process.exit(2);
  }
  const { busyMs, idleMs, rows } = selfTimes(readProfile(path), Number(process.argv[3] ?? 30));
  console.log(`busy ${busyMs.toFixed(0)} ms, idle ${idleMs.toFixed(0)} ms`);
  for (const r of rows)
    console.log(`${r.percent.toFixed(1).padStart(5)} %  ${r.selfMs.toFixed(0).padStart(6)} ms  ${r.function}`);
}
