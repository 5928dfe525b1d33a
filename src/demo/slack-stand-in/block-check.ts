/**
 * Slack refuses messages that break Block Kit limits (`invalid_blocks`); the stand-in checks the
 * same limits, so a test that passes here would not be refused by Slack for size.
 */
const TEXT_LIMITS: Record<string, number> = { section: 3000, header: 150 };

function textOf(value: unknown): string | undefined {
  const text = (value as { text?: unknown } | undefined)?.text;
  return typeof text === 'string' ? text : undefined;
}

export function checkBlocks(blocks: unknown, maxBlocks: number): string[] {
  if (blocks === undefined) return [];
  if (!Array.isArray(blocks)) return ['blocks must be an array'];
  const problems: string[] = [];
  if (blocks.length > maxBlocks) problems.push(`${blocks.length} blocks; at most ${maxBlocks}`);
  blocks.forEach((block: unknown, i) => {
    const type = (block as { type?: unknown }).type;
    if (typeof type !== 'string') {
      problems.push(`block ${i} has no type`);
      return;
    }
    const text = textOf((block as { text?: unknown }).text);
    const limit = TEXT_LIMITS[type];
    if (limit !== undefined && text !== undefined && text.length > limit)
      problems.push(`block ${i} (${type}) text is ${text.length} chars; at most ${limit}`);
    if (type === 'section' && text === undefined && !(block as { fields?: unknown }).fields)
      problems.push(`block ${i} (section) has no text`);
    if (type === 'context') {
      const elements = (block as { elements?: unknown[] }).elements ?? [];
      if (elements.length === 0 || elements.length > 10)
        problems.push(`block ${i} (context) has ${elements.length} elements; 1 to 10`);
    }
    if (type === 'actions') {
      const elements = (block as { elements?: { value?: unknown }[] }).elements ?? [];
      if (elements.length > 25) problems.push(`block ${i} (actions) has ${elements.length} elements; at most 25`);
      for (const el of elements)
        if (typeof el.value === 'string' && el.value.length > 2000)
          problems.push(`block ${i} button value over 2000 chars`);
    }
  });
  return problems;
}

export function checkView(view: unknown): string[] {
  const v = view as {
    type?: unknown;
    title?: unknown;
    blocks?: unknown;
    private_metadata?: unknown;
    callback_id?: unknown;
  };
  const problems = checkBlocks(v.blocks, 100);
  if (v.type !== 'modal' && v.type !== 'home') problems.push('view type must be modal or home');
  const title = textOf(v.title);
  if (v.type === 'modal' && (title === undefined || title.length > 24))
    problems.push('modal title missing or over 24 chars');
  if (typeof v.private_metadata === 'string' && v.private_metadata.length > 3000)
    problems.push('private_metadata over 3000 chars');
  return problems;
}
