import { requestIdIn } from '../../src/slack/payload';

describe('the request a payload is about', () => {
  it.each([
    ['a button carrying it', { actions: [{ value: 'r-abcdefgh' }] }, 'r-abcdefgh'],
    ['a modal carrying it', { view: { private_metadata: 'r-abcdefgh' } }, 'r-abcdefgh'],
    [
      'a button carrying something else',
      { actions: [{ value: '{"x":1}' }], view: { private_metadata: 'r-abcdefgh' } },
      undefined,
    ],
    [
      'a select in a modal (no value): the modal carrying it',
      { actions: [{ type: 'external_select' }], view: { private_metadata: 'r-abcdefgh' } },
      'r-abcdefgh',
    ],
    ['a modal with other metadata', { view: { private_metadata: '{"request":"r-abcdefgh"}' } }, undefined],
    ['a slash command', { command: '/backup', text: 'associate r-abcdefgh' }, undefined],
    ['no object at all', 'r-abcdefgh', undefined],
  ])('%s', (_what, body, id) => {
    expect(requestIdIn(body)).toBe(id);
  });
});
