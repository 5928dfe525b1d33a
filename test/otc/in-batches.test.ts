import { inBatches } from '../../src/otc/map-concurrent';

describe('inBatches', () => {
  it('splits in order into runs of the size, the last one shorter', () => {
    expect(inBatches([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(inBatches([1, 2], 2)).toEqual([[1, 2]]);
    expect(inBatches([], 60)).toEqual([]);
  });

  it('refuses a size that is not a whole number >= 1', () => {
    expect(() => inBatches([1], 0)).toThrow(RangeError);
    expect(() => inBatches([1], 1.5)).toThrow(RangeError);
  });
});
