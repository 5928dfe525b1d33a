import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { signedHeaders } from './slack-sign';

/** Posts signed slash commands with bounded concurrency and times each one to its HTTP answer (the ack). */
export interface LoadOptions {
  /** e.g. http://127.0.0.1:3000/slack/events */
  readonly url: string;
  readonly signingSecret: string;
  readonly count: number;
  readonly concurrency: number;
  /** The form body of the i-th command (0-based). */
  readonly body: (i: number) => string;
}

export interface LoadResult {
  /** Milliseconds from sending each command to its answer's status line, in completion order. */
  readonly acksMs: number[];
  /** Answers other than 200, and requests that got no answer, with why. */
  readonly errors: string[];
  /** Epoch ms: the first command sent, the last answer received. */
  readonly startedAt: number;
  readonly lastAckAt: number;
}

/** One keep-alive agent per target, as Slack keeps connections to an app open. */
const agents = new Map<string, Agent>();
function agentFor(origin: string, connections: number): Agent {
  let agent = agents.get(origin);
  if (agent === undefined) {
    agent = new Agent({ connections, keepAliveTimeout: 30_000, keepAliveMaxTimeout: 60_000 });
    agents.set(origin, agent);
  }
  return agent;
}

export async function closeAgents(): Promise<void> {
  await Promise.all([...agents.values()].map((a) => a.close()));
  agents.clear();
}

export async function sendLoad(options: LoadOptions): Promise<LoadResult> {
  const agent = agentFor(new URL(options.url).origin, options.concurrency);
  const acksMs: number[] = [];
  const errors: string[] = [];
  let next = 0;
  let lastAckAt = 0;
  const startedAt = Date.now();
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next;
      next += 1;
      if (i >= options.count) return;
      const body = options.body(i);
      const headers = signedHeaders(options.signingSecret, body, Date.now() / 1000);
      const sent = performance.now();
      try {
        const res = await request(options.url, { method: 'POST', headers, body, dispatcher: agent });
        const ms = performance.now() - sent;
        lastAckAt = Date.now();
        await res.body.dump();
        acksMs.push(ms);
        if (res.statusCode !== 200) errors.push(`HTTP ${res.statusCode}`);
      } catch (e) {
        errors.push(e instanceof Error ? e.message : String(e));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, options.count) }, () => worker()));
  return { acksMs, errors, startedAt, lastAckAt };
}
