import { describe, expect, it } from 'vitest';
import { href, parseHash, type Route } from '../../src/lib/routes';
import { changedOptions, formFromPreview, markerLabel, optionsFromForm, previewKey, startingForm, withOverride } from '../../src/lib/import/options';
import type { ImportPreview } from '../../src/lib/types.gen';

describe('routes', () => {
  it('parses and formats every screen', () => {
    const routes: Route[] = [
      { name: 'welcome' },
      { name: 'project', pid: 'abc' },
      { name: 'dataset', pid: 'abc', did: 'ds_1' },
      { name: 'dataset', pid: 'abc', did: 'ds_1', column: 'hours-per-week' },
      { name: 'profile', pid: 'abc', did: 'ds_1' },
    ];
    for (const r of routes) expect(parseHash(href(r))).toEqual(r);
  });

  it('escapes odd names', () => {
    const r: Route = { name: 'dataset', pid: 'a/b', did: 'd e', column: 'x&y=1' };
    expect(parseHash(href(r))).toEqual(r);
  });

  it('falls back to the welcome screen', () => {
    expect(parseHash('')).toEqual({ name: 'welcome' });
    expect(parseHash('#/nonsense')).toEqual({ name: 'welcome' });
    expect(parseHash('#/p/')).toEqual({ name: 'welcome' });
  });
});

describe('import options', () => {
  const preview: ImportPreview = {
    path: '/d/a.csv',
    file_name: 'a.csv',
    bytes: 10,
    format: 'csv',
    encoding: 'utf8',
    delimiter: ';',
    quote: '"',
    has_header: true,
    null_values: ['', 'NA', '?'],
    null_values_seen: ['?'],
    suggested_name: 'a',
    columns: [{ name: 'x', dtype: 'int', physical: 'i64', missing: 0 }],
    detected: ['int'],
    blank_cells: [0],
    sample: { offset: 0, total_rows: 0, columns: ['x'], rows: [] },
  };

  it('starts from what the server sniffed', () => {
    const f = formFromPreview(preview);
    expect(f).toMatchObject({ name: 'a', delimiter: ';', hasHeader: true, nullValues: ['', 'NA', '?'], overrides: {} });
  });

  it('sends CSV options only for CSV, and no text options for Parquet', () => {
    const f = formFromPreview(preview);
    f.overrides = { x: 'float' };
    expect(optionsFromForm(f)).toEqual({
      name: 'a',
      format: 'csv',
      encoding: 'utf8',
      null_values: ['', 'NA', '?'],
      delimiter: ';',
      quote: '"',
      has_header: true,
      overrides: [{ column: 'x', dtype: 'float' }],
    });
    expect(optionsFromForm({ ...f, format: 'parquet' })).toEqual({ name: 'a', format: 'parquet', overrides: [{ column: 'x', dtype: 'float' }] });
    expect(optionsFromForm({ ...f, format: 'json' })).not.toHaveProperty('delimiter');
  });

  it('ignores the name when deciding to preview again', () => {
    const f = formFromPreview(preview);
    expect(previewKey({ ...f, name: 'other' })).toBe(previewKey(f));
    expect(previewKey({ ...f, delimiter: ',' })).not.toBe(previewKey(f));
  });

  it('keeps only real type changes', () => {
    expect(withOverride({}, 'x', 'string', 'int')).toEqual({ x: 'string' });
    expect(withOverride({ x: 'string' }, 'x', 'int', 'int')).toEqual({});
  });

  it('after a failed first preview, sends only the options the user changed', () => {
    const base = startingForm('/d/sales.tsv', ['', 'NA']);
    expect(base).toMatchObject({ name: 'sales', format: 'csv', delimiter: '\t', encoding: 'utf8', nullValues: ['', 'NA'] });
    expect(startingForm('C:\\data\\t.parquet', []).format).toBe('parquet');
    expect(changedOptions(base, base)).toEqual({ overrides: [] });
    expect(changedOptions({ ...base, encoding: 'latin1' }, base)).toEqual({ overrides: [], encoding: 'latin1' });
    expect(changedOptions({ ...base, delimiter: ';', quote: '', nullValues: ['', 'NA', ' '] }, base)).toEqual({
      overrides: [],
      delimiter: ';',
      quote: '',
      null_values: ['', 'NA', ' '],
    });
  });

  it('shows the blank marker and markers of spaces in words a person can see', () => {
    expect(markerLabel('')).toBe('blank');
    expect(markerLabel(' ')).toBe('␣');
    expect(markerLabel('  ')).toBe('␣␣');
    expect(markerLabel('N A')).toBe('N A');
  });
});
