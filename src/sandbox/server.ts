import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkAuth } from './auth-check';
import { FaultInjector } from './faults';
import type { Reply, SandboxContext, SandboxRequest } from './http-util';
import { gatewayError, readBody, reply } from './http-util';
import { faultReply } from './fault-reply';
import type { SandboxProject } from './model';
import { matchRoute } from './router';
import type { RouteDef } from './router';
import { resolveOptions } from './options';
import type { ResolvedOptions } from './options';
import { SandboxState } from './state';
import { TokenStore } from './tokens';
import type { RecordedRequest, Sandbox, SandboxCredentials, SandboxEndpoints, SandboxOptions } from './types';

type Recorded = Omit<RecordedRequest, 'status'>;

/** Starts the OTC sandbox (IAM, VBS, EVS, ECS, CBR) on loopback. */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const sandbox = new SandboxServer(resolveOptions(options));
  await sandbox.listen();
  return sandbox;
}

class SandboxServer implements Sandbox {
  readonly credentials: SandboxCredentials;
  readonly projects: readonly SandboxProject[];
  readonly state: SandboxState;
  readonly faults = new FaultInjector();
  private readonly log: RecordedRequest[] = [];
  private readonly tokens = new TokenStore();
  private readonly server: Server;
  private readonly ctx: SandboxContext;
  private readonly sleeping = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();
  private baseUrl = '';
  private stopped: Promise<void> | undefined;

  constructor(private readonly options: ResolvedOptions) {
    this.credentials = options.credentials;
    this.projects = options.projects;
    this.state = new SandboxState(options.projects, options.now, options.backupDurationMs);
    this.ctx = {
      state: this.state,
      tokens: this.tokens,
      credentials: this.credentials,
      projects: this.projects,
      now: options.now,
      tokenTtlMs: options.tokenTtlMs,
      vbsMaxResourcesPerCall: options.vbsMaxResourcesPerCall,
      baseUrl: () => this.baseUrl,
    };
    this.server = createServer((req, res) => {
      this.handle(req, res).catch(() => res.destroy());
    });
  }

  get url(): string {
    return this.baseUrl;
  }

  get endpoints(): SandboxEndpoints {
    const url = this.baseUrl;
    return { iam: `${url}/v3`, vbs: url, evs: url, ecs: url, cbr: url };
  }

  get requests(): readonly RecordedRequest[] {
    return this.log;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const { address, port } = this.server.address() as AddressInfo;
    this.baseUrl = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
  }

  expireAllTokens(): void {
    this.tokens.expireAll();
  }

  stop(): Promise<void> {
    this.stopped ??= new Promise<void>((resolve) => {
      for (const sleeper of this.sleeping) {
        clearTimeout(sleeper.timer);
        sleeper.wake();
      }
      this.sleeping.clear();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    return this.stopped;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID().replace(/-/g, '');
    const rawUrl = req.url ?? '/';
    const queryAt = rawUrl.indexOf('?');
    const path = queryAt < 0 ? rawUrl : rawUrl.slice(0, queryAt);
    const rawQuery = queryAt < 0 ? '' : rawUrl.slice(queryAt + 1);
    const method = (req.method ?? 'GET').toUpperCase();
    const body = await readBody(req);
    const match = matchRoute(method, path);
    const base: Recorded = { method, path, query: rawQuery, route: 'unmatched', auth: 'none' };

    if (body === 'too-large') {
      this.send(res, base, requestId, gatewayError(413, 'APIGW.0201', 'Request entity too large.', requestId));
      return;
    }
    if (match.kind === 'none') {
      const answer = gatewayError(404, 'APIGW.0101', 'The API does not exist or has not been published.', requestId);
      this.send(res, base, requestId, answer);
      return;
    }
    if (match.kind === 'wrong-method') {
      const message = `Method ${method} is not allowed here; use ${match.allowed.join(', ')}.`;
      const answer = reply(405, { error: { code: 405, message } }, { Allow: match.allowed.join(', ') });
      this.send(res, base, requestId, answer);
      return;
    }
    const { route, params } = match;
    const projectId = params.projectId;
    const recorded: Recorded = { ...base, route: route.name, ...(projectId === undefined ? {} : { projectId }) };
    const request: SandboxRequest = {
      method,
      path,
      rawQuery,
      query: new URLSearchParams(rawQuery),
      headers: req.headers,
      body,
      params,
      requestId,
    };
    await this.serve(route, request, recorded, res);
  }

  /** A matched route: injected fault first (as the network or gateway would), then auth, then the handler. */
  private async serve(
    route: RouteDef,
    request: SandboxRequest,
    recorded: Recorded,
    res: ServerResponse,
  ): Promise<void> {
    const fault = this.faults.take(route.name);
    if (fault?.latencyMs !== undefined && fault.latencyMs > 0) await this.sleep(fault.latencyMs);
    if (this.stopped !== undefined) return void res.destroy();
    if (fault?.drop === true) {
      this.log.push({ ...recorded, status: 0 });
      return void res.socket?.destroy();
    }
    if (fault?.status !== undefined) {
      const answer = faultReply(route.name, fault.status, fault.retryAfterSeconds, request.requestId);
      this.send(res, recorded, request.requestId, answer);
      return;
    }
    let via: RecordedRequest['auth'] = 'none';
    if (route.service !== 'iam') {
      const auth = checkAuth(this.ctx, request, recorded.projectId ?? '', route.service);
      if (!auth.ok) {
        this.send(res, recorded, request.requestId, auth.reply);
        return;
      }
      via = auth.via;
    }
    let answer: Reply;
    try {
      answer = route.handle(this.ctx, request);
    } catch {
      answer = faultReply(route.name, 500, undefined, request.requestId);
    }
    if (fault?.malformed === true) {
      this.log.push({ ...recorded, auth: via, status: 200 });
      const cut = JSON.stringify(answer.body ?? {}).slice(0, 12);
      res.writeHead(200, { 'Content-Type': 'application/json;charset=UTF-8', 'X-Request-Id': request.requestId });
      res.end(cut);
      return;
    }
    this.send(res, { ...recorded, auth: via }, request.requestId, answer);
  }

  private send(res: ServerResponse, recorded: Recorded, requestId: string, answer: Reply): void {
    const projectId = recorded.projectId ?? answer.projectId;
    this.log.push({ ...recorded, status: answer.status, ...(projectId === undefined ? {} : { projectId }) });
    if (res.destroyed) return;
    const text = answer.body === undefined ? '' : JSON.stringify(answer.body);
    res.writeHead(answer.status, {
      'Content-Type': 'application/json;charset=UTF-8',
      'Content-Length': String(Buffer.byteLength(text)),
      'X-Request-Id': requestId,
      ...answer.headers,
    });
    res.end(text);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const sleeper = {
        wake: resolve,
        timer: setTimeout(() => {
          this.sleeping.delete(sleeper);
          resolve();
        }, ms),
      };
      this.sleeping.add(sleeper);
    });
  }
}
