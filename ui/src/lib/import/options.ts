import type { DType, FileFormat, ImportOptions, ImportPreview, TextEncoding } from '../types.gen';

/** The import dialog's editable options. */
export interface ImportForm {
  name: string;
  format: FileFormat;
  encoding: TextEncoding;
  delimiter: string;
  quote: string;
  hasHeader: boolean;
  nullValues: string[];
  /** Column name → type chosen by the user (only where it differs from the inferred type). */
  overrides: Record<string, DType>;
}

export const DELIMITERS: { value: string; label: string }[] = [
  { value: ',', label: 'Comma  ,' },
  { value: ';', label: 'Semicolon  ;' },
  { value: '\t', label: 'Tab  ⇥' },
  { value: '|', label: 'Pipe  |' },
];

export const QUOTES: { value: string; label: string }[] = [
  { value: '"', label: 'Double  "' },
  { value: "'", label: "Single  '" },
  { value: '', label: 'None' },
];

export const FORMATS: { value: FileFormat; label: string }[] = [
  { value: 'csv', label: 'CSV / TSV' },
  { value: 'parquet', label: 'Parquet' },
  { value: 'json', label: 'JSON' },
  { value: 'ndjson', label: 'NDJSON' },
];

export const ENCODINGS: { value: TextEncoding; label: string }[] = [
  { value: 'utf8', label: 'UTF-8' },
  { value: 'latin1', label: 'Latin-1' },
  { value: 'utf16', label: 'UTF-16' },
];

export const TYPES: DType[] = ['int', 'float', 'bool', 'string', 'date', 'datetime'];

/** The form as the server sniffed it: the starting point the user adjusts. */
export function formFromPreview(p: ImportPreview, overrides: Record<string, DType> = {}, name?: string): ImportForm {
  return {
    name: name ?? p.suggested_name,
    format: p.format,
    encoding: p.encoding,
    delimiter: p.delimiter ?? ',',
    quote: p.quote ?? '"',
    hasHeader: p.has_header,
    nullValues: [...p.null_values],
    overrides: { ...overrides },
  };
}

/** The form before anything is known of the file (its first preview failed): what sniffing starts from. */
export function startingForm(path: string, nullValues: string[]): ImportForm {
  const name = path.split(/[\\/]/).pop() ?? '';
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
  const format: FileFormat = ext === 'parquet' || ext === 'pq' ? 'parquet' : ext === 'json' ? 'json' : ext === 'ndjson' || ext === 'jsonl' ? 'ndjson' : 'csv';
  return {
    name: dot > 0 ? name.slice(0, dot) : name,
    format,
    encoding: 'utf8',
    delimiter: ext === 'tsv' || ext === 'tab' ? '\t' : ',',
    quote: '"',
    hasHeader: true,
    nullValues: [...nullValues],
    overrides: {},
  };
}

/**
 * Only the options the user changed from `base`: the rest is left for the server to sniff, so choosing
 * an encoding after a failed preview does not also force a delimiter.
 */
export function changedOptions(f: ImportForm, base: ImportForm): ImportOptions {
  const o: ImportOptions = { overrides: [] };
  if (f.format !== base.format) o.format = f.format;
  if (f.encoding !== base.encoding) o.encoding = f.encoding;
  if (f.delimiter !== base.delimiter) o.delimiter = f.delimiter;
  if (f.quote !== base.quote) o.quote = f.quote;
  if (f.hasHeader !== base.hasHeader) o.has_header = f.hasHeader;
  if (JSON.stringify(f.nullValues) !== JSON.stringify(base.nullValues)) o.null_values = [...f.nullValues];
  return o;
}

/** How a missing-value marker reads on a chip: the empty one stands for blank cells; spaces are shown. */
export function markerLabel(v: string): string {
  if (v === '') return 'blank';
  if (v.trim() === '') return v.replace(/ /g, '␣').replace(/\t/g, '⇥');
  return v;
}

/** Options for the server. Text-only options are left out for Parquet, CSV-only ones for JSON. */
export function optionsFromForm(f: ImportForm, withName = true): ImportOptions {
  const o: ImportOptions = {
    format: f.format,
    overrides: Object.entries(f.overrides).map(([column, dtype]) => ({ column, dtype })),
  };
  if (withName && f.name.trim()) o.name = f.name.trim();
  if (f.format !== 'parquet') {
    o.encoding = f.encoding;
    o.null_values = [...f.nullValues];
  }
  if (f.format === 'csv') {
    o.delimiter = f.delimiter;
    o.quote = f.quote;
    o.has_header = f.hasHeader;
  }
  return o;
}

/** What re-previewing depends on: every option except the dataset's name. */
export function previewKey(f: ImportForm): string {
  return JSON.stringify(optionsFromForm(f, false));
}

/** Sets or clears an override so that only real changes from the inferred type are sent. */
export function withOverride(overrides: Record<string, DType>, column: string, dtype: DType, inferred: DType | undefined): Record<string, DType> {
  const next = { ...overrides };
  if (dtype === inferred) delete next[column];
  else next[column] = dtype;
  return next;
}

/** A tab shown as a readable name; other control characters as their code. */
export function describeDelimiter(d: string): string {
  const known = DELIMITERS.find((x) => x.value === d);
  if (known) return known.label.split(' ')[0];
  if (d === ' ') return 'Space';
  return d;
}
