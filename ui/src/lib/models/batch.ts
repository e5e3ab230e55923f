// The batch prediction form: what is typed, checked field by field before the request (the server
// checks the rest: that the file exists, that the columns are in it, that the model reads them).
import type { BatchFormat, BatchPredictRequest } from '../types.gen';

export interface BatchForm {
  model: string;
  source: 'dataset' | 'file';
  dataset: string;
  file: string;
  out: string;
  /** '' = from the output's extension. */
  format: '' | BatchFormat;
  /** Comma-separated input columns written before the predictions; `*` for all. */
  columns: string;
}

/** Columns as typed: names split on commas, blanks dropped, each once. */
export function parseColumns(text: string): string[] {
  const out: string[] = [];
  for (const c of text.split(',').map((s) => s.trim())) if (c && !out.includes(c)) out.push(c);
  return out;
}

/** The format the output will have: the one chosen, else by the output's extension (Parquet unless .csv). */
export function effectiveFormat(f: Pick<BatchForm, 'format' | 'out'>): BatchFormat {
  if (f.format) return f.format;
  return /\.(csv|tsv|txt)$/i.test(f.out.trim()) ? 'csv' : 'parquet';
}

/** A default output path for a model and an input, in the project's folder. */
export function defaultOut(model: string, input: string, format: BatchFormat = 'parquet'): string {
  const base = (input.split(/[\\/]/).pop() ?? input).replace(/\.[^.]+$/, '') || 'input';
  const safe = (s: string) => s.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '');
  return `predictions/${safe(base)}-${safe(model) || 'model'}.${format === 'csv' ? 'csv' : 'parquet'}`;
}

/** The request, or the errors by field (`input`, `out`, `columns`). */
export function batchRequest(f: BatchForm): { request: BatchPredictRequest | null; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const input = f.source === 'dataset' ? f.dataset.trim() : f.file.trim();
  if (!input) errors.input = f.source === 'dataset' ? 'Choose the dataset to predict over.' : 'Give the path of a CSV or Parquet file on this computer.';
  const out = f.out.trim();
  if (!out) errors.out = 'Say where the predictions go, e.g. predictions/scores.parquet.';
  else if (f.source === 'file' && out === input) errors.out = 'The output would overwrite the input: write it to another file.';
  else if (out.endsWith('/')) errors.out = 'Name a file, not a folder.';
  const columns = parseColumns(f.columns);
  if (columns.includes('*') && columns.length > 1) errors.columns = '“*” keeps every column already: give it alone, or name the columns.';
  if (Object.keys(errors).length) return { request: null, errors };
  const request: BatchPredictRequest = { model: f.model, out, columns, resume: false };
  if (f.source === 'dataset') request.dataset = input;
  else request.file = input;
  if (f.format) request.format = f.format;
  return { request, errors };
}
