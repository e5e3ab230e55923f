import { describe, expect, it } from 'vitest';
import { artifactRows, artifactView, initiallyOpen, isViewable, splitCsvLine, visibleArtifactRows } from '../../src/lib/runs/run/artifactTree';

const files = [
  { path: 'code', is_dir: true, size: 0 },
  { path: 'code/train.py', is_dir: false, size: 2000 },
  { path: 'config.json', is_dir: false, size: 51 },
  { path: 'plots/inner/weights.bin', is_dir: false, size: 4096 },
  { path: 'plots/summary.txt', is_dir: false, size: 26 },
];

describe('artifact tree', () => {
  it('lists folders first, makes up missing folders, totals sizes', () => {
    const rows = artifactRows(files);
    expect(rows.map((r) => `${'  '.repeat(r.depth)}${r.name}${r.isDir ? '/' : ''}`)).toEqual([
      'code/',
      '  train.py',
      'plots/',
      '  inner/',
      '    weights.bin',
      '  summary.txt',
      'config.json',
    ]);
    const plots = rows.find((r) => r.path === 'plots');
    expect(plots).toMatchObject({ isDir: true, files: 2, size: 4122 });
  });

  it('hides what is inside closed folders', () => {
    const rows = artifactRows(files);
    const shown = visibleArtifactRows(rows, new Set(['plots']));
    expect(shown.map((r) => r.path)).toEqual(['code', 'plots', 'plots/inner', 'plots/summary.txt', 'config.json']);
    expect(initiallyOpen(rows).size).toBe(3);
    expect(initiallyOpen(rows, 2).size).toBe(0);
  });

  it('views small text files inline, downloads the rest', () => {
    expect(isViewable('code/train.py', 2000)).toBe(true);
    expect(isViewable('model/MLmodel', 300)).toBe(true);
    expect(isViewable('weights.bin', 10)).toBe(false);
    expect(isViewable('big.csv', 10 * 1024 * 1024)).toBe(false);
  });

  it('pretty-prints JSON and tables CSV', () => {
    expect(artifactView('a.json', '{"a":1}')).toEqual({ kind: 'json', text: '{\n  "a": 1\n}' });
    expect(artifactView('a.json', 'not json').kind).toBe('text');
    const csv = artifactView('p.csv', 'id,label\n1,"a, b"\n2,c\n3,d\n', 2);
    expect(csv).toEqual({ kind: 'csv', header: ['id', 'label'], rows: [['1', 'a, b'], ['2', 'c']], more: 1 });
    expect(splitCsvLine('x,"say ""hi""",z')).toEqual(['x', 'say "hi"', 'z']);
  });
});
