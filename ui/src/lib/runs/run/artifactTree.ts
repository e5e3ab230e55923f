// The artifact list as a tree: the server lists every file and folder by its full path; the run page shows
// folders that open and close, with files indented under them. Pure functions, unit-tested.
import type { ArtifactFile } from '../../types.gen';

export interface ArtifactRow {
  path: string;
  name: string;
  depth: number;
  isDir: boolean;
  size: number;
  /** Files under a folder (at any depth), shown beside it. */
  files: number;
}

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/**
 * Every row in tree order (folders first, then files, each by name). Folders missing from the listing
 * (some stores list files only) are made up from the paths, so every file has its folder.
 */
export function artifactRows(files: readonly ArtifactFile[]): ArtifactRow[] {
  const dirs = new Set<string>();
  const leaves: ArtifactFile[] = [];
  for (const f of files) {
    if (f.is_dir) dirs.add(f.path);
    else leaves.push(f);
    for (let p = parentOf(f.path); p; p = parentOf(p)) dirs.add(p);
  }
  const children = new Map<string, ArtifactRow[]>();
  const add = (row: ArtifactRow) => {
    const p = parentOf(row.path);
    children.set(p, [...(children.get(p) ?? []), row]);
  };
  const depth = (p: string) => p.split('/').length - 1;
  const name = (p: string) => p.slice(p.lastIndexOf('/') + 1);
  for (const d of dirs) add({ path: d, name: name(d), depth: depth(d), isDir: true, size: 0, files: 0 });
  for (const f of leaves) add({ path: f.path, name: name(f.path), depth: depth(f.path), isDir: false, size: f.size, files: 0 });

  const out: ArtifactRow[] = [];
  const walk = (p: string): { size: number; files: number } => {
    const kids = (children.get(p) ?? []).sort((a, b) => Number(b.isDir) - Number(a.isDir) || a.name.localeCompare(b.name));
    let size = 0;
    let count = 0;
    for (const k of kids) {
      out.push(k);
      if (k.isDir) {
        const t = walk(k.path);
        k.size = t.size;
        k.files = t.files;
      }
      size += k.size;
      count += k.isDir ? k.files : 1;
    }
    return { size, files: count };
  };
  walk('');
  return out;
}

/** The rows on screen: those whose every enclosing folder is open. */
export function visibleArtifactRows(rows: readonly ArtifactRow[], open: ReadonlySet<string>): ArtifactRow[] {
  return rows.filter((r) => {
    for (let p = parentOf(r.path); p; p = parentOf(p)) if (!open.has(p)) return false;
    return true;
  });
}

/** Folders open at first: all of them when the run saved few files, none when it saved many. */
export function initiallyOpen(rows: readonly ArtifactRow[], maxFiles = 40): Set<string> {
  const files = rows.filter((r) => !r.isDir).length;
  return new Set(files <= maxFiles ? rows.filter((r) => r.isDir).map((r) => r.path) : []);
}

const TEXT_EXT = /\.(txt|log|md|py|r|sql|sh|ya?ml|toml|ini|cfg|conf|json|jsonl|csv|tsv|xml|html?|ipynb|mlmodel|requirements)$/i;
/** Files with no extension MLflow itself writes as text. */
const TEXT_NAMES = new Set(['MLmodel', 'requirements.txt', 'conda.yaml', 'python_env.yaml', 'Dockerfile', 'LICENSE']);
/** Larger files are downloaded, not read into the page. */
export const MAX_INLINE_BYTES = 512 * 1024;

/** Small text files open in the page (scripts, configs, JSON, CSV); everything else is a download. */
export function isViewable(path: string, size: number): boolean {
  if (size > MAX_INLINE_BYTES) return false;
  const n = path.slice(path.lastIndexOf('/') + 1);
  return TEXT_EXT.test(n) || TEXT_NAMES.has(n);
}

export type ArtifactView = { kind: 'json'; text: string } | { kind: 'csv'; header: string[]; rows: string[][]; more: number } | { kind: 'text'; text: string };

/** Splits one CSV line, honouring "quoted, fields" and doubled quotes. */
export function splitCsvLine(line: string, sep = ','): string[] {
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (q) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') q = false;
      else cur += c;
    } else if (c === '"') q = true;
    else if (c === sep) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/** How a file's text is shown: JSON pretty-printed, CSV as a table of its first rows, the rest as is. */
export function artifactView(path: string, text: string, maxRows = 200): ArtifactView {
  const n = path.toLowerCase();
  if (n.endsWith('.json')) {
    try {
      return { kind: 'json', text: JSON.stringify(JSON.parse(text), null, 2) };
    } catch {
      return { kind: 'text', text };
    }
  }
  if (n.endsWith('.csv') || n.endsWith('.tsv')) {
    const sep = n.endsWith('.tsv') ? '\t' : ',';
    const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
    if (lines.length === 0) return { kind: 'text', text };
    const body = lines.slice(1, maxRows + 1).map((l) => splitCsvLine(l, sep));
    return { kind: 'csv', header: splitCsvLine(lines[0], sep), rows: body, more: Math.max(0, lines.length - 1 - body.length) };
  }
  return { kind: 'text', text };
}
