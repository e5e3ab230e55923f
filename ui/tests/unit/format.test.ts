import { beforeAll, describe, expect, it } from 'vitest';
import { cellText, formatAgo, formatBytes, formatDays, formatDuration, formatInt, formatMillis, formatPercent, formatStat, formatValue, plural, setLocale, share } from '../../src/lib/format';
import { axisValue, binLabels, compact } from '../../src/lib/charts/options';

beforeAll(() => setLocale('en-US'));

describe('numbers', () => {
  it('groups integers', () => {
    expect(formatInt(32561)).toBe('32,561');
    expect(formatInt(1_000_000)).toBe('1,000,000');
    expect(plural(32561, 'row')).toBe('32,561 rows');
    expect(plural(1, 'row')).toBe('1 row');
    expect(plural(0, 'column')).toBe('0 columns');
  });

  it('formats statistics readably', () => {
    expect(formatStat(17)).toBe('17');
    expect(formatStat(38.58164675532078)).toBe('38.58');
    expect(formatStat(189778.36651208502)).toBe('189,778.4');
    expect(formatStat(0.60515)).toBe('0.605');
    expect(formatStat(-2.5)).toBe('-2.5');
    expect(formatStat(1.5e-7)).toBe('1.50e-7');
    expect(formatStat(NaN)).toBe('NaN');
    expect(formatStat(Infinity)).toBe('∞');
    expect(formatStat(null)).toBe('—');
  });

  it('keeps axis labels short', () => {
    expect(compact(12_400)).toBe('12.4k');
    expect(compact(2_000_000)).toBe('2M');
    expect(compact(500)).toBe('500');
    expect(axisValue(39.333333, 'int')).toBe('39.3');
    expect(axisValue(19000, 'date')).toBe('2022-01-08');
  });
});

describe('percent', () => {
  it('formats with one decimal', () => {
    expect(formatPercent(96.85847925633315)).toBe('96.9%');
    expect(formatPercent(share(98569, 101766))).toBe('96.9%');
    expect(formatPercent(2.225)).toBe('2.2%');
  });

  it('does not round tiny or near-complete shares to 0% or 100%', () => {
    expect(formatPercent(0)).toBe('0%');
    expect(formatPercent(100)).toBe('100%');
    expect(formatPercent(0.004)).toBe('<0.1%');
    expect(formatPercent(99.97)).toBe('>99.9%');
  });

  it('guards against division by zero', () => {
    expect(share(5, 0)).toBe(0);
    expect(formatPercent(NaN)).toBe('—');
  });
});

describe('dates', () => {
  it('formats date columns (days since epoch)', () => {
    expect(formatDays(0)).toBe('1970-01-01');
    expect(formatDays(18993)).toBe('2022-01-01');
    expect(formatDays(20088)).toBe('2024-12-31');
    expect(formatDays(-1)).toBe('1969-12-31');
  });

  it('formats datetime columns (ms since epoch, UTC)', () => {
    expect(formatMillis(Date.UTC(2023, 4, 17, 8, 30))).toBe('2023-05-17 08:30');
    expect(formatMillis(Date.UTC(2023, 4, 17, 8, 30, 15))).toBe('2023-05-17 08:30:15');
  });

  it('formats values by column type', () => {
    expect(formatValue(18993, 'date')).toBe('2022-01-01');
    expect(formatValue(0, 'datetime')).toBe('1970-01-01 00:00');
    expect(formatValue(38.5816, 'float')).toBe('38.58');
    expect(formatValue(undefined, 'int')).toBe('—');
  });

  it('labels histogram bins in the column’s terms', () => {
    expect(binLabels({ edges: [18993, 19000, 19007], counts: [1, 2] }, 'date')).toEqual(['2022-01-01 – 2022-01-08', '2022-01-08 – 2022-01-15']);
    expect(binLabels({ edges: [0, 0.5, 1], counts: [1, 2] }, 'float')).toEqual(['0 – 0.5', '0.5 – 1']);
  });

  it('says how long ago', () => {
    const now = Date.UTC(2024, 0, 10);
    expect(formatAgo(now - 5_000, now)).toBe('just now');
    expect(formatAgo(now - 3 * 60_000, now)).toBe('3 minutes ago');
    expect(formatAgo(now - 3600_000, now)).toBe('1 hour ago');
    expect(formatAgo(now - 3 * 86_400_000, now)).toBe('3 days ago');
  });
});

describe('sizes and cells', () => {
  it('formats bytes and durations', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(3518605)).toBe('3.4 MB');
    expect(formatBytes(19159383)).toBe('18.3 MB');
    expect(formatBytes(5 * 1024 ** 3)).toBe('5.0 GB');
    expect(formatDuration(93)).toBe('93 ms');
    expect(formatDuration(2776)).toBe('2.8 s');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
  });

  it('turns cells into text, keeping null apart', () => {
    expect(cellText(null)).toBeNull();
    expect(cellText(undefined)).toBeNull();
    expect(cellText(0)).toBe('0');
    expect(cellText(false)).toBe('false');
    expect(cellText('')).toBe('');
    expect(cellText('2022-01-01')).toBe('2022-01-01');
    expect(cellText([1, 2])).toBe('[1,2]');
  });
});
