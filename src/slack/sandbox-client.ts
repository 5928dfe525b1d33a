import type { WebAPICallResult } from '@slack/web-api';
import { WebClient } from '@slack/web-api';
import { markMessageArguments } from './blocks/sandbox-mark';

const MESSAGE_METHODS: ReadonlySet<string> = new Set(['chat.postMessage', 'chat.update']);

/**
 * The Web API client a sandbox bot delivers its messages with: every message it posts or edits
 * (root message, thread notes, summary, approval card, reminder) carries the sandbox note, whoever
 * rendered it. Every call goes to the wrapped client (its options, retries and rate-limit state);
 * this one only changes the arguments of message calls.
 */
export class SandboxMarkedClient extends WebClient {
  constructor(private readonly inner: WebClient) {
    super();
  }

  override apiCall(method: string, options: Record<string, unknown> = {}): Promise<WebAPICallResult> {
    return this.inner.apiCall(method, MESSAGE_METHODS.has(method) ? markMessageArguments(options) : options);
  }

  /** File uploads (a long summary's CSV) go through the wrapped client whole: they follow a marked summary. */
  override filesUploadV2(options: Parameters<WebClient['filesUploadV2']>[0]): ReturnType<WebClient['filesUploadV2']> {
    return this.inner.filesUploadV2(options);
  }
}
