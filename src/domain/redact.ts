const PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  [/xox[abposr]-[A-Za-z0-9-]+/g, 'xox?-[redacted]'],
  [/xapp-[A-Za-z0-9-]+/g, 'xapp-[redacted]'],
  // A workflow step's own token (function_executed's bot_access_token).
  [/xwfp-[A-Za-z0-9-]+/g, 'xwfp-[redacted]'],
  [/(x-auth-token|x-subject-token)(["']?\s*[:=]\s*["']?)[^\s"',}]+/gi, '$1$2[redacted]'],
  [/(Credential|Access)=[^,\s]+/g, '$1=[redacted]'],
  [/(Signature)=[0-9a-f]+/gi, '$1=[redacted]'],
  [
    /("(?:password|secret_key|secretKey|access_key|accessKey|token|client_secret|bot_access_token|secret)"\s*:\s*)"(?:[^"\\]|\\.)*"/gi,
    '$1"[redacted]"',
  ],
  // The same inside a string of JSON (a client's debug line of the raw envelope): quotes escaped.
  // The value runs to the quote escaped as its opening one was (as many backslashes), across
  // anything escaped deeper (`ab\/cd`, as Slack writes slashes; a quote inside a password). A run
  // of backslashes is only tried from its start (the lookbehind), so a long run costs one pass.
  [
    /((?<!\\)(\\+)"(?:password|secret_key|secretKey|access_key|accessKey|token|client_secret|bot_access_token|secret)\2"\s*:\s*\2")(?:(?!(?<!\\)\2")[\s\S])*((?<!\\)\2")/gi,
    '$1[redacted]$3',
  ],
  [/(\/\/[^/:@\s]+:)[^@/\s]+@/g, '$1[redacted]@'],
  // A command's or an action's response_url: whoever holds it can answer in the channel for 30 minutes.
  // (Slack's own JSON escapes its slashes: https:\/\/hooks.slack.com\/commands\/…)
  [/(hooks\.slack\.com\\*\/(?:commands|actions|workflows|triggers)\\*\/)(?:[^\s"'\\]|\\+\/)+/g, '$1[redacted]'],
  // A Socket Mode connection's URL (apps.connections.open): its ticket lets whoever holds it connect.
  [/(slack\.com\\*\/link\\*\/?\?(?:[^\s"'#]*&)?ticket=)[^&\s"'\\]+/g, '$1[redacted]'],
];

/**
 * Masks credentials that could end up in an error message or log line: Slack tokens (a workflow
 * step's too, and the secret of its user_context), IAM tokens, Slack's response URLs and socket tickets,
 * AK/SK authorization headers, passwords in JSON bodies (also as JSON inside a string) and URLs. Pure; used by error constructors
 * and the logger as a last line of defence (the first line is not putting secrets there at all).
 */
export function redactSecrets(text: string): string {
  let out = text;
  for (const [re, replacement] of PATTERNS) out = out.replace(re, replacement);
  return out;
}
