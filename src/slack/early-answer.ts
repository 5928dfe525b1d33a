import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FieldLogger } from '../log/fields';

/**
 * The slash command a request carries: a form body with `command` (an interaction's is a `payload`,
 * Slack's certificate check an `ssl_check`); undefined for anything else. The content type must be
 * the one Bolt parses as a form, exactly (it reads any other, `; charset=…` included, as JSON).
 */
export function slashCommandOf(req: IncomingMessage, body: Buffer): string | undefined {
  if (req.headers['content-type'] !== 'application/x-www-form-urlencoded') return undefined;
  const form = new URLSearchParams(body.toString('utf8'));
  if (form.has('payload') || form.has('ssl_check')) return undefined;
  return form.get('command') ?? undefined;
}

/**
 * Takes Bolt's answer to a request the bot has answered already (see http-server.ts, `answersAtOnce`).
 * Bolt writes its ack here as it would to the HTTP response; an ack with a body, or any other status
 * than 200 (no listener acked within 3 s, or Bolt refused the request after all), is logged, as it
 * can no longer reach Slack.
 */
export class KeptAnswer {
  statusCode = 200;
  headersSent = false;
  private finished = false;

  constructor(
    private readonly command: string,
    private readonly logger: Pick<FieldLogger, 'warn'>,
  ) {}

  /** The subset of ServerResponse that Bolt's HTTP receiver writes an answer with. */
  asResponse(): ServerResponse {
    return this as unknown as ServerResponse;
  }

  writeHead(status: number): this {
    this.statusCode = status;
    this.headersSent = true;
    return this;
  }

  setHeader(): this {
    return this;
  }

  end(body?: unknown): this {
    if (this.finished) return this;
    this.finished = true;
    // Bolt ends an empty ack with nothing, and one with a body with a string.
    const hasBody = body !== undefined && body !== null && body !== '';
    if (this.statusCode !== 200 || hasBody)
      this.logger.warn('Bolt answered a command the bot had answered already; its answer is dropped', {
        command: this.command,
        status: this.statusCode,
        withBody: hasBody,
      });
    return this;
  }
}
