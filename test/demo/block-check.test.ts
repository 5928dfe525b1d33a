import { checkBlocks, checkSuggestionOptions, checkView } from '../../src/demo/slack-stand-in/block-check';

const plain = (text: string) => ({ type: 'plain_text', text });
const chars = (n: number, c = 'x') => c.repeat(n);
const option = (text: string, value = 'v') => ({ text: plain(text), value });
const options = (n: number) => Array.from({ length: n }, (_, i) => option(`option ${i}`, `v${i}`));
const section = (text = 'text') => ({ type: 'section', text: { type: 'mrkdwn', text } });
const actions = (...elements: unknown[]) => ({ type: 'actions', elements });
const button = (text: string, value = 'v') => ({ type: 'button', action_id: 'b', text: plain(text), value });
const input = (element: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  type: 'input',
  block_id: 'i',
  label: plain('Label'),
  element: { action_id: 'e', ...element },
  ...extra,
});
const modal = (blocks: unknown[], extra: Record<string, unknown> = {}) => ({
  type: 'modal',
  title: plain('Title'),
  submit: plain('Send'),
  close: plain('Cancel'),
  blocks,
  ...extra,
});

/** What is checked: a message's blocks (chat.postMessage, chat.update, ephemerals) or a view. */
type Checked = { readonly message: unknown[] } | { readonly view: Record<string, unknown> };

function problems(checked: Checked): string[] {
  return 'message' in checked ? checkBlocks(checked.message, 50) : checkView(checked.view);
}

/** Each limit: something exactly at it, which Slack accepts, and one over it, which Slack refuses. */
const LIMITS: readonly [string, number, (n: number) => Checked, string][] = [
  [
    'button text in a message',
    75,
    (n) => ({ message: [actions(button(chars(n)))] }),
    'block 0 (actions) element 0 (button) text is 76 chars; at most 75',
  ],
  [
    'button text in a section accessory',
    75,
    (n) => ({ message: [{ ...section(), accessory: button(chars(n)) }] }),
    'block 0 (section) accessory (button) text is 76 chars; at most 75',
  ],
  [
    'button value',
    2000,
    (n) => ({ message: [actions(button('Go', chars(n)))] }),
    'block 0 (actions) element 0 (button) value is 2001 chars; at most 2000',
  ],
  [
    'static_select option text',
    75,
    (n) => ({ view: modal([input({ type: 'static_select', options: [option(chars(n))] })]) }),
    'block 0 (input) element (static_select) options[0] text is 76 chars; at most 75',
  ],
  [
    'static_select option value',
    150,
    (n) => ({ view: modal([input({ type: 'static_select', options: [option('a', chars(n))] })]) }),
    'block 0 (input) element (static_select) options[0] value is 151 chars; at most 150',
  ],
  [
    'static_select option count',
    100,
    (n) => ({ view: modal([input({ type: 'static_select', options: options(n) })]) }),
    'block 0 (input) element (static_select) options has 101 options; at most 100',
  ],
  [
    'multi_static_select option count',
    100,
    (n) => ({ view: modal([input({ type: 'multi_static_select', options: options(n) })]) }),
    'block 0 (input) element (multi_static_select) options has 101 options; at most 100',
  ],
  [
    'static_select initial_option text',
    75,
    (n) => ({
      view: modal([input({ type: 'static_select', options: [option('a')], initial_option: option(chars(n)) })]),
    }),
    'block 0 (input) element (static_select) initial_option text is 76 chars; at most 75',
  ],
  [
    'external_select initial_option text',
    75,
    (n) => ({ view: modal([input({ type: 'external_select', initial_option: option(chars(n)) })]) }),
    'block 0 (input) element (external_select) initial_option text is 76 chars; at most 75',
  ],
  [
    'external_select initial_option value',
    150,
    (n) => ({ view: modal([input({ type: 'external_select', initial_option: option('a', chars(n)) })]) }),
    'block 0 (input) element (external_select) initial_option value is 151 chars; at most 150',
  ],
  [
    'multi_external_select initial_options text',
    75,
    (n) => ({
      view: modal([input({ type: 'multi_external_select', initial_options: [option('a'), option(chars(n))] })]),
    }),
    'block 0 (input) element (multi_external_select) initial_options[1] text is 76 chars; at most 75',
  ],
  [
    'multi_external_select initial_options value',
    150,
    (n) => ({ view: modal([input({ type: 'multi_external_select', initial_options: [option('a', chars(n))] })]) }),
    'block 0 (input) element (multi_external_select) initial_options[0] value is 151 chars; at most 150',
  ],
  [
    'multi_static_select initial_options text',
    75,
    (n) => ({
      view: modal([
        input({ type: 'multi_static_select', options: [option('a')], initial_options: [option(chars(n))] }),
      ]),
    }),
    'block 0 (input) element (multi_static_select) initial_options[0] text is 76 chars; at most 75',
  ],
  [
    'static_select option in a section accessory',
    75,
    (n) => ({ message: [{ ...section(), accessory: { type: 'static_select', options: [option(chars(n))] } }] }),
    'block 0 (section) accessory (static_select) options[0] text is 76 chars; at most 75',
  ],
  [
    'modal title',
    24,
    (n) => ({ view: modal([section()], { title: plain(chars(n)) }) }),
    'modal title is 25 chars; at most 24',
  ],
  [
    'modal submit',
    24,
    (n) => ({ view: modal([section()], { submit: plain(chars(n)) }) }),
    'modal submit is 25 chars; at most 24',
  ],
  [
    'modal close',
    24,
    (n) => ({ view: modal([section()], { close: plain(chars(n)) }) }),
    'modal close is 25 chars; at most 24',
  ],
  [
    'input label',
    2000,
    (n) => ({ view: modal([input({ type: 'plain_text_input' }, { label: plain(chars(n)) })]) }),
    'block 0 (input) label is 2001 chars; at most 2000',
  ],
  [
    'input hint',
    2000,
    (n) => ({ view: modal([input({ type: 'plain_text_input' }, { hint: plain(chars(n)) })]) }),
    'block 0 (input) hint is 2001 chars; at most 2000',
  ],
  [
    'input element placeholder',
    150,
    (n) => ({ view: modal([input({ type: 'plain_text_input', placeholder: plain(chars(n)) })]) }),
    'block 0 (input) element (plain_text_input) placeholder is 151 chars; at most 150',
  ],
  [
    'select placeholder',
    150,
    (n) => ({ view: modal([input({ type: 'external_select', placeholder: plain(chars(n)) })]) }),
    'block 0 (input) element (external_select) placeholder is 151 chars; at most 150',
  ],
  [
    'context element text',
    3000,
    (n) => ({
      message: [
        {
          type: 'context',
          elements: [
            { type: 'mrkdwn', text: 'a' },
            { type: 'mrkdwn', text: chars(n) },
          ],
        },
      ],
    }),
    'block 0 (context) element 1 text is 3001 chars; at most 3000',
  ],
  [
    'header text',
    150,
    (n) => ({ message: [{ type: 'header', text: plain(chars(n)) }] }),
    'block 0 (header) text is 151 chars; at most 150',
  ],
  [
    'section text',
    3000,
    (n) => ({ message: [section(chars(n))] }),
    'block 0 (section) text is 3001 chars; at most 3000',
  ],
  [
    'number of blocks in a message',
    50,
    (n) => ({ message: Array.from({ length: n }, () => ({ type: 'divider' })) }),
    '51 blocks; at most 50',
  ],
  [
    'number of blocks in a modal',
    100,
    (n) => ({ view: modal(Array.from({ length: n }, () => ({ type: 'divider' }))) }),
    '101 blocks; at most 100',
  ],
  [
    'number of blocks in a home tab',
    100,
    (n) => ({ view: { type: 'home', blocks: Array.from({ length: n }, () => ({ type: 'divider' })) } }),
    '101 blocks; at most 100',
  ],
  [
    'number of context elements',
    10,
    (n) => ({
      message: [{ type: 'context', elements: Array.from({ length: n }, () => ({ type: 'mrkdwn', text: 'a' })) }],
    }),
    'block 0 (context) has 11 elements; 1 to 10',
  ],
  [
    'number of actions elements',
    25,
    (n) => ({ message: [actions(...Array.from({ length: n }, (_, i) => button(`b${i}`)))] }),
    'block 0 (actions) has 26 elements; at most 25',
  ],
  [
    'private_metadata',
    3000,
    (n) => ({ view: modal([section()], { private_metadata: chars(n) }) }),
    'private_metadata is 3001 chars; at most 3000',
  ],
];

describe('the stand-in’s Block Kit check', () => {
  it.each(LIMITS)('accepts a %s of %i and refuses one more', (_what, limit, build, problem) => {
    expect(problems(build(limit))).toEqual([]);
    expect(problems(build(limit + 1))).toEqual([problem]);
  });

  it('allows a view 100 blocks where a message has 50', () => {
    const blocks = Array.from({ length: 60 }, () => ({ type: 'divider' }));
    expect(checkBlocks(blocks, 50)).toEqual(['60 blocks; at most 50']);
    expect(checkView({ type: 'home', blocks })).toEqual([]);
    expect(checkView(modal(blocks))).toEqual([]);
  });

  it('reports every problem of a view, each with where it is', () => {
    const view = modal(
      [
        { type: 'header', text: plain(chars(151)) },
        input({ type: 'external_select', placeholder: plain(chars(151)) }, { label: plain(chars(2001)) }),
      ],
      { title: plain(chars(25)), close: plain(chars(25)) },
    );
    expect(checkView(view)).toEqual([
      'block 0 (header) text is 151 chars; at most 150',
      'block 1 (input) label is 2001 chars; at most 2000',
      'block 1 (input) element (external_select) placeholder is 151 chars; at most 150',
      'modal title is 25 chars; at most 24',
      'modal close is 25 chars; at most 24',
    ]);
  });

  it('refuses a modal with input blocks and no submit button, a view that is neither modal nor home, and a modal without a title', () => {
    expect(checkView({ ...modal([input({ type: 'plain_text_input' })]), submit: undefined })).toEqual([
      'a modal with input blocks needs a submit button',
    ]);
    expect(checkView({ ...modal([section()]), submit: undefined })).toEqual([]);
    expect(checkView({ type: 'workflow_step', blocks: [] })).toEqual(['view type must be modal or home']);
    expect(checkView({ ...modal([section()]), title: undefined })).toEqual(['modal title missing']);
  });

  it('refuses blocks without a type, a section without text, an input without a label, a button without text', () => {
    expect(
      checkBlocks([{}, { type: 'section' }, { ...input({ type: 'plain_text_input' }), label: undefined }], 50),
    ).toEqual(['block 0 has no type', 'block 1 (section) has no text', 'block 2 (input) has no label']);
    expect(checkBlocks([actions({ type: 'button', action_id: 'b' })], 50)).toEqual([
      'block 0 (actions) element 0 (button) has no text',
    ]);
    expect(checkBlocks('not blocks', 50)).toEqual(['blocks must be an array']);
    expect(checkBlocks(undefined, 50)).toEqual([]);
  });

  describe('type-ahead answers', () => {
    it('accepts 100 options of 75 characters with values of 150, and no options at all', () => {
      const ok = Array.from({ length: 100 }, (_, i) => option(`${i}`.padEnd(75, 'x'), `${i}`.padEnd(150, 'v')));
      expect(checkSuggestionOptions(ok)).toEqual([]);
      expect(checkSuggestionOptions([])).toEqual([]);
      expect(checkSuggestionOptions(undefined)).toEqual([]);
    });

    it('refuses 101 options, an option text of 76 characters, a value of 151, and an option without text', () => {
      expect(checkSuggestionOptions(options(101))).toEqual(['options has 101 options; at most 100']);
      expect(checkSuggestionOptions([option(chars(76))])).toEqual(['options[0] text is 76 chars; at most 75']);
      expect(checkSuggestionOptions([option('a', chars(151))])).toEqual(['options[0] value is 151 chars; at most 150']);
      expect(checkSuggestionOptions([{ value: 'v' }])).toEqual(['options[0] has no text']);
    });
  });
});
