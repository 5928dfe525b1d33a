/** `*` matches any run of characters, `?` one character; everything else is literal. Case-insensitive. */
export function globToRegExp(glob: string): RegExp {
  const body = Array.from(glob)
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/-]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, 'i');
}

export function matchesGlob(glob: string, text: string): boolean {
  return globToRegExp(glob).test(text);
}
