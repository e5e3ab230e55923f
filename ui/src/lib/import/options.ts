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
