/**
 * Slack refuses messages and views that break Block Kit limits (`invalid_blocks`,
 * `invalid_arguments`); the stand-in checks the same limits, so a test that passes here would not
 * be refused by Slack for size. Lengths are counted in UTF-16 code units (`String#length`), which
 * is never less than the number of characters Slack counts: the check errs on the strict side.
 */
export const BLOCK_LIMITS = {
  blocksPerMessage: 50,
  blocksPerView: 100,
  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  headerText: 150,
  contextElements: 10,
  contextText: 3000,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  optionText: 75,
  optionValue: 150,
  optionDescription: 75,
  staticSelectOptions: 100,
  optionGroups: 100,
  placeholder: 150,
  inputLabel: 2000,
  inputHint: 2000,
  viewTitle: 24,
  viewSubmit: 24,
  viewClose: 24,
  privateMetadata: 3000,
  callbackId: 255,
  blockId: 255,
  actionId: 255,
} as const;

/** Select menus whose options (and initial options) are option objects with Slack's option limits. */
const SELECTS = new Set(['static_select', 'external_select', 'multi_static_select', 'multi_external_select']);
const STATIC_SELECTS = new Set(['static_select', 'multi_static_select']);

type Obj = Record<string, unknown>;

function obj(value: unknown): Obj | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Obj) : undefined;
}

function textOf(value: unknown): string | undefined {
  const text = obj(value)?.['text'];
  return typeof text === 'string' ? text : undefined;
}

/** Collects problems: each names where it is (`block 3 (input) label`) and the limit it breaks. */
class Problems {
  readonly list: string[] = [];

  add(problem: string): void {
    this.list.push(problem);
  }

  /** A string at `where` longer than `max`. */
  max(where: string, value: string | undefined, max: number): void {
    if (value !== undefined && value.length > max) this.add(`${where} is ${value.length} chars; at most ${max}`);
  }

  /** A text object's text (`{ type, text }`) longer than `max`. */
  maxText(where: string, value: unknown, max: number): void {
    this.max(where, textOf(value), max);
  }
}

function checkOption(p: Problems, where: string, option: unknown): void {
  const o = obj(option);
  if (o === undefined) return p.add(`${where} is not an option object`);
  const text = textOf(o['text']);
  if (text === undefined) p.add(`${where} has no text`);
  p.max(`${where} text`, text, BLOCK_LIMITS.optionText);
  if (typeof o['value'] === 'string') p.max(`${where} value`, o['value'], BLOCK_LIMITS.optionValue);
  p.maxText(`${where} description`, o['description'], BLOCK_LIMITS.optionDescription);
}

function checkOptionList(p: Problems, where: string, options: unknown, max: number | undefined): void {
  if (options === undefined) return;
  if (!Array.isArray(options)) return p.add(`${where} must be an array`);
  if (max !== undefined && options.length > max) p.add(`${where} has ${options.length} options; at most ${max}`);
  options.forEach((o, i) => checkOption(p, `${where}[${i}]`, o));
}

function checkElement(p: Problems, where: string, element: unknown): void {
  const el = obj(element);
  if (el === undefined) return;
  const type = typeof el['type'] === 'string' ? el['type'] : '?';
  const at = `${where} (${type})`;
  if (typeof el['action_id'] === 'string') p.max(`${at} action_id`, el['action_id'], BLOCK_LIMITS.actionId);
  p.maxText(`${at} placeholder`, el['placeholder'], BLOCK_LIMITS.placeholder);
  if (type === 'button') {
    const text = textOf(el['text']);
    if (text === undefined) p.add(`${at} has no text`);
    p.max(`${at} text`, text, BLOCK_LIMITS.buttonText);
    if (typeof el['value'] === 'string') p.max(`${at} value`, el['value'], BLOCK_LIMITS.buttonValue);
    if (typeof el['url'] === 'string') p.max(`${at} url`, el['url'], BLOCK_LIMITS.buttonUrl);
  }
  if (SELECTS.has(type)) {
    const staticSelect = STATIC_SELECTS.has(type);
    checkOptionList(p, `${at} options`, el['options'], staticSelect ? BLOCK_LIMITS.staticSelectOptions : undefined);
    const groups = el['option_groups'];
    if (Array.isArray(groups)) {
      if (groups.length > BLOCK_LIMITS.optionGroups)
        p.add(`${at} option_groups has ${groups.length} groups; at most ${BLOCK_LIMITS.optionGroups}`);
      const total = groups.reduce<number>(
        (n, g) => n + ((obj(g)?.['options'] as unknown[] | undefined)?.length ?? 0),
        0,
      );
      if (staticSelect && total > BLOCK_LIMITS.staticSelectOptions)
        p.add(`${at} option_groups hold ${total} options; at most ${BLOCK_LIMITS.staticSelectOptions}`);
      groups.forEach((g, i) => checkOptionList(p, `${at} option_groups[${i}] options`, obj(g)?.['options'], undefined));
    }
    if (el['initial_option'] !== undefined) checkOption(p, `${at} initial_option`, el['initial_option']);
    checkOptionList(p, `${at} initial_options`, el['initial_options'], undefined);
  }
}

function checkBlock(p: Problems, i: number, block: unknown): void {
  const b = obj(block);
  const type = b?.['type'];
  if (b === undefined || typeof type !== 'string') return p.add(`block ${i} has no type`);
  const at = `block ${i} (${type})`;
  if (typeof b['block_id'] === 'string') p.max(`${at} block_id`, b['block_id'], BLOCK_LIMITS.blockId);
  switch (type) {
    case 'section': {
      const text = textOf(b['text']);
      const fields = b['fields'];
      if (text === undefined && !Array.isArray(fields)) p.add(`${at} has no text`);
      p.max(`${at} text`, text, BLOCK_LIMITS.sectionText);
      if (Array.isArray(fields)) {
        if (fields.length > BLOCK_LIMITS.sectionFields)
          p.add(`${at} has ${fields.length} fields; at most ${BLOCK_LIMITS.sectionFields}`);
        fields.forEach((f, k) => p.maxText(`${at} field ${k}`, f, BLOCK_LIMITS.sectionFieldText));
      }
      checkElement(p, `${at} accessory`, b['accessory']);
      break;
    }
    case 'header':
      p.maxText(`${at} text`, b['text'], BLOCK_LIMITS.headerText);
      break;
    case 'context': {
      const elements = Array.isArray(b['elements']) ? (b['elements'] as unknown[]) : [];
      if (elements.length === 0 || elements.length > BLOCK_LIMITS.contextElements)
        p.add(`${at} has ${elements.length} elements; 1 to ${BLOCK_LIMITS.contextElements}`);
      elements.forEach((e, k) => p.maxText(`${at} element ${k} text`, e, BLOCK_LIMITS.contextText));
      break;
    }
    case 'actions': {
      const elements = Array.isArray(b['elements']) ? (b['elements'] as unknown[]) : [];
      if (elements.length > BLOCK_LIMITS.actionsElements)
        p.add(`${at} has ${elements.length} elements; at most ${BLOCK_LIMITS.actionsElements}`);
      elements.forEach((e, k) => checkElement(p, `${at} element ${k}`, e));
      break;
    }
    case 'input': {
      const label = textOf(b['label']);
      if (label === undefined) p.add(`${at} has no label`);
      p.max(`${at} label`, label, BLOCK_LIMITS.inputLabel);
      p.maxText(`${at} hint`, b['hint'], BLOCK_LIMITS.inputHint);
      if (obj(b['element']) === undefined) p.add(`${at} has no element`);
      checkElement(p, `${at} element`, b['element']);
      break;
    }
    default:
      // Other block types (divider, header, image, …) have no limit the bot could break.
      break;
  }
}

/** Problems with a message's or a view's blocks; `maxBlocks` is 50 for a message, 100 for a view. */
export function checkBlocks(blocks: unknown, maxBlocks: number): string[] {
  if (blocks === undefined) return [];
  if (!Array.isArray(blocks)) return ['blocks must be an array'];
  const p = new Problems();
  if (blocks.length > maxBlocks) p.add(`${blocks.length} blocks; at most ${maxBlocks}`);
  blocks.forEach((block: unknown, i) => checkBlock(p, i, block));
  return p.list;
}

/** Problems with a modal or an App Home view (`views.open`, `.push`, `.update`, `.publish`, `response_action`). */
export function checkView(view: unknown): string[] {
  const v = obj(view) ?? {};
  const p = new Problems();
  p.list.push(...checkBlocks(v['blocks'], BLOCK_LIMITS.blocksPerView));
  if (v['type'] !== 'modal' && v['type'] !== 'home') p.add('view type must be modal or home');
  if (v['type'] === 'modal') {
    const title = textOf(v['title']);
    if (title === undefined) p.add('modal title missing');
    p.max('modal title', title, BLOCK_LIMITS.viewTitle);
    p.maxText('modal submit', v['submit'], BLOCK_LIMITS.viewSubmit);
    p.maxText('modal close', v['close'], BLOCK_LIMITS.viewClose);
    const hasInput = Array.isArray(v['blocks']) && v['blocks'].some((b) => obj(b)?.['type'] === 'input');
    if (hasInput && textOf(v['submit']) === undefined) p.add('a modal with input blocks needs a submit button');
  }
  if (typeof v['private_metadata'] === 'string')
    p.max('private_metadata', v['private_metadata'], BLOCK_LIMITS.privateMetadata);
  if (typeof v['callback_id'] === 'string') p.max('callback_id', v['callback_id'], BLOCK_LIMITS.callbackId);
  return p.list;
}

/** Problems with the options a bot answers to type-ahead (block_suggestion): at most 100, each a valid option. */
export function checkSuggestionOptions(options: unknown): string[] {
  const p = new Problems();
  checkOptionList(p, 'options', options, BLOCK_LIMITS.staticSelectOptions);
  return p.list;
}
