import { isoTimestamp } from './iso-timestamp';

describe('isoTimestamp', () => {
  it.each([
    ['the epoch', 0],
    ['a time with milliseconds', Date.UTC(2026, 10, 24, 15, 4, 5, 67)],
    ['the last millisecond of a second', Date.UTC(2026, 10, 24, 15, 4, 5, 999)],
    ['the last millisecond of a year', Date.UTC(2026, 11, 31, 23, 59, 59, 999)],
    ['a leap day', Date.UTC(2024, 1, 29, 12, 0, 0, 1)],
    ['a time before 1970', -1],
    ['long before 1970', Date.UTC(1066, 9, 14, 9, 30, 0, 250)],
    ['the first millisecond of year 0', -62_167_219_200_000],
    ['the last millisecond of year 9999', 253_402_300_799_999],
  ])('formats %s as toISOString() does', (_, ms) => {
    expect(isoTimestamp(ms)).toBe(new Date(ms).toISOString());
  });

  it('gives the right text for runs of times in one second and across seconds, in any order', () => {
    const start = Date.UTC(2026, 10, 24, 15, 59, 59, 990);
    const times = [start, start + 5, start + 9, start + 10, start + 11, start + 3, start - 1000, start + 1010, start + 10];
    expect(times.map(isoTimestamp)).toEqual(times.map((ms) => new Date(ms).toISOString()));
  });

  it('takes the general path outside years 0000-9999 and for fractional times', () => {
    for (const ms of [-62_167_219_200_001, 253_402_300_800_000, 8.64e15, 1_700_000_000_000.7]) {
      expect(isoTimestamp(ms)).toBe(new Date(ms).toISOString());
    }
  });

  it('throws RangeError for an invalid time, like toISOString()', () => {
    expect(() => isoTimestamp(Number.NaN)).toThrow(RangeError);
    expect(() => isoTimestamp(8.64e15 + 1)).toThrow(RangeError);
  });
});
