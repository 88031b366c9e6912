import { timeAgo } from './time';

describe('timeAgo', () => {
  const now = Date.parse('2026-11-23T17:00:00Z');
  it.each([
    ['2026-11-23T16:59:40Z', 'just now'],
    ['2026-11-23T16:55:00Z', '5 min ago'],
    ['2026-11-23T15:00:00Z', '2 h ago'],
    ['2026-11-20T17:00:00Z', '3 d ago'],
    ['not a date', 'at an unknown time'],
  ])('%s is %s', (iso, expected) => {
    expect(timeAgo(iso, now)).toBe(expected);
  });
});
