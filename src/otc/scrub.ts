/**
 * Replaces every occurrence of a known secret value (4+ characters) with `[redacted]`. A second line
 * of defence after redactSecrets: the client knows its own secrets (password, SK, AK, current tokens
 * and signatures), so any text the other side sends back can be cleared of them before it goes into
 * an error or a log line.
 */
export function scrubText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join('[redacted]');
  return out;
}

/** A plain Error with the scrubbed message and the code (and AggregateError parts) kept; nothing else. */
export function scrubError(error: unknown, secrets: readonly string[]): unknown {
  if (!(error instanceof Error)) return error;
  const safe = new Error(scrubText(error.message, secrets));
  safe.name = error.name;
  const { code, errors } = error as { code?: unknown; errors?: unknown };
  if (typeof code === 'string') Object.assign(safe, { code });
  if (Array.isArray(errors)) Object.assign(safe, { errors: errors.map((e) => scrubError(e, secrets)) });
  return safe;
}
