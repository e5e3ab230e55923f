/**
 * Completion for MLflow's run filter grammar (`metrics.roc_auc > 0.9 and params.model = 'gbm'`): what can
 * come at the caret, given what is written before it. A small scanner of its own rather than the
 * server's parser: it has to read unfinished filters, and only needs to know which part the caret is in.
 */
import type { RunKeys } from '../../types.gen';
import { quoteKey } from './columns';

export type SuggestionKind = 'prefix' | 'key' | 'op' | 'value' | 'keyword';

export interface Suggestion {
  /** What the list shows. */
  label: string;
  /** What replaces the text from `Completion.from` to the caret. */
  insert: string;
  kind: SuggestionKind;
  detail?: string;
}

export interface Completion {
  /** Start of the text the suggestion replaces (the caret is the end). */
  from: number;
  /** The text being completed, as typed. */
  partial: string;
  items: Suggestion[];
}

/** Values worth offering for some keys (`params.model` → the model kinds), by canonical key. */
export type ValueHints = Record<string, string[]>;

type Entity = 'metrics' | 'params' | 'tags' | 'attributes' | 'datasets';

export const PREFIXES: { entity: Entity; detail: string }[] = [
  { entity: 'metrics', detail: 'a metric, compared with numbers' },
  { entity: 'params', detail: 'a hyperparameter or setting, compared with quoted text' },
  { entity: 'tags', detail: 'a tag, compared with quoted text' },
  { entity: 'attributes', detail: 'status, run_name, start_time…' },
];

export const ATTRIBUTES: { key: string; detail: string; time?: boolean }[] = [
  { key: 'status', detail: "RUNNING, FINISHED, FAILED, KILLED" },
  { key: 'run_name', detail: 'the run’s name' },
  { key: 'start_time', detail: 'ms since 1970', time: true },
  { key: 'end_time', detail: 'ms since 1970', time: true },
  { key: 'run_id', detail: 'compare with = or IN' },
  { key: 'user_id', detail: 'who started the run' },
];

const DATASET_FIELDS = ['name', 'digest', 'context'];

const ENTITY_ALIASES: Record<string, Entity> = {
  metric: 'metrics',
  metrics: 'metrics',
  param: 'params',
  params: 'params',
  parameter: 'params',
  parameters: 'params',
  tag: 'tags',
  tags: 'tags',
  attribute: 'attributes',
  attributes: 'attributes',
  attr: 'attributes',
  run: 'attributes',
  dataset: 'datasets',
  datasets: 'datasets',
};

interface Op {
  text: string;
  detail: string;
  /** No value follows (IS NULL). */
  unary?: boolean;
}

const OP = {
  eq: { text: '=', detail: 'equals' },
  ne: { text: '!=', detail: 'differs from' },
  lt: { text: '<', detail: 'less than' },
  le: { text: '<=', detail: 'at most' },
  gt: { text: '>', detail: 'greater than' },
  ge: { text: '>=', detail: 'at least' },
  like: { text: 'LIKE', detail: "pattern: % any text, _ one character" },
  ilike: { text: 'ILIKE', detail: 'LIKE, ignoring case' },
  in: { text: 'IN', detail: "one of ('a', 'b')" },
  notIn: { text: 'NOT IN', detail: "none of ('a', 'b')" },
  isNull: { text: 'IS NULL', detail: 'the run has no such key', unary: true },
  isNotNull: { text: 'IS NOT NULL', detail: 'the run has this key', unary: true },
} satisfies Record<string, Op>;

const NUMERIC_OPS: Op[] = [OP.gt, OP.ge, OP.lt, OP.le, OP.eq, OP.ne];
const PARAM_TAG_OPS: Op[] = [OP.eq, OP.ne, OP.like, OP.ilike, OP.isNull, OP.isNotNull];
const STRING_ATTR_OPS: Op[] = [OP.eq, OP.ne, OP.like, OP.ilike, OP.in, OP.notIn];
const ALL_OPS: Op[] = Object.values(OP);

const STATUSES = ['FINISHED', 'RUNNING', 'FAILED', 'KILLED', 'SCHEDULED'];

/** A key as parsed: its entity (canonical) and the key itself. */
interface Ident {
  entity: Entity | null;
  key: string;
}

function opsFor(id: Ident | null): Op[] {
  if (!id) return ALL_OPS;
  switch (id.entity) {
    case 'metrics':
      return NUMERIC_OPS;
    case 'params':
    case 'tags':
      return PARAM_TAG_OPS;
    case 'datasets':
      return STRING_ATTR_OPS;
    default: {
      // No entity means an attribute, as on the server.
      const a = ATTRIBUTES.find((x) => x.key === id.key);
      return a?.time ? NUMERIC_OPS : STRING_ATTR_OPS;
    }
  }
}

function quoteValue(v: string): string {
  return `'${v.replace(/'/g, "''")}'`;
}

function startsWithCI(s: string, prefix: string): boolean {
  return s.toLowerCase().startsWith(prefix.toLowerCase());
}

const isSpace = (c: string | undefined) => c !== undefined && /\s/.test(c);
const isOpChar = (c: string | undefined) => c !== undefined && '=!<>'.includes(c);

/** Reads an identifier (`metrics.roc_auc`, `` tags.`my tag` ``) from `i`; returns its end. */
function scanIdent(s: string, i: number): number {
  let j = i;
  while (j < s.length && !isSpace(s[j]) && !isOpChar(s[j]) && s[j] !== '(' && s[j] !== "'") {
    if (s[j] === '`' || s[j] === '"') {
      const q = s[j];
      const close = s.indexOf(q, j + 1);
      if (close < 0) return s.length;
      j = close + 1;
    } else {
      j++;
    }
  }
  return j;
}

function parseIdent(text: string): Ident {
  const unq = (x: string) => x.replace(/^[`"]|[`"]$/g, '');
  const m = /^([A-Za-z_]+)\.(.*)$/s.exec(text);
  if (m && ENTITY_ALIASES[m[1].toLowerCase()]) return { entity: ENTITY_ALIASES[m[1].toLowerCase()], key: unq(m[2]) };
  return { entity: null, key: unq(text) };
}

/** Reads a value from `i`: a quoted string, a number or a parenthesised list. Returns its end, or -1 if unfinished. */
function scanValue(s: string, i: number): number {
  const c = s[i];
  if (c === "'" || c === '"') {
    let j = i + 1;
    for (;;) {
      const close = s.indexOf(c, j);
      if (close < 0) return -1;
      if (s[close + 1] === c) {
        j = close + 2;
        continue;
      }
      return close + 1;
    }
  }
  if (c === '(') {
    const close = s.indexOf(')', i);
    return close < 0 ? -1 : close + 1;
  }
  let j = i;
  while (j < s.length && !isSpace(s[j])) j++;
  return j === s.length ? -1 : j;
}

function keyItems(partial: string, keys: RunKeys): Suggestion[] {
  const dot = partial.indexOf('.');
  const entity = dot > 0 ? ENTITY_ALIASES[partial.slice(0, dot).toLowerCase()] : undefined;
  if (entity) {
    const rest = partial.slice(dot + 1).replace(/^[`"]/, '');
    return rankedKeys(entity, rest, keys);
  }
  const items: Suggestion[] = PREFIXES.filter((p) => startsWithCI(p.entity, partial)).map((p) => ({
    label: `${p.entity}.`,
    insert: `${p.entity}.`,
    kind: 'prefix',
    detail: p.detail,
  }));
  // A bare word also finds keys by a word of their name: typing `auc` offers metrics.roc_auc.
  if (partial) {
    for (const e of ['metrics', 'params', 'tags', 'attributes'] as Entity[]) items.push(...rankedKeys(e, partial, keys, true));
  }
  return items;
}

function keysOf(entity: Entity, keys: RunKeys): { key: string; detail?: string }[] {
  switch (entity) {
    case 'metrics':
      return keys.metrics.map((key) => ({ key, detail: 'metric' }));
    case 'params':
      return keys.params.map((key) => ({ key, detail: 'param' }));
    case 'tags':
      return keys.tags.map((key) => ({ key, detail: 'tag' }));
    case 'attributes':
      return ATTRIBUTES;
    case 'datasets':
      return DATASET_FIELDS.map((key) => ({ key, detail: 'dataset' }));
  }
}

/** Keys of one entity containing `rest` (or with a word starting with it), those starting with it first. */
function rankedKeys(entity: Entity, rest: string, keys: RunKeys, wordStart = false): Suggestion[] {
  const low = rest.toLowerCase();
  const matches = (k: string) => {
    const key = k.toLowerCase();
    if (!wordStart) return key.includes(low);
    return key.startsWith(low) || ['_', '.', ' ', '-'].some((sep) => key.includes(sep + low));
  };
  const all = keysOf(entity, keys).filter((k) => matches(k.key));
  const first = all.filter((k) => k.key.toLowerCase().startsWith(low));
  const then = all.filter((k) => !k.key.toLowerCase().startsWith(low));
  return [...first, ...then].map((k) => {
    const full = quoteKey(entity, k.key);
    return { label: full, insert: full + ' ', kind: 'key' as const, detail: k.detail };
  });
}

function valueItems(id: Ident | null, partial: string, hints: ValueHints): Suggestion[] {
  if (!id) return [];
  const canonical = `${id.entity ?? 'attributes'}.${id.key}`;
  const values = canonical === 'attributes.status' ? STATUSES : (hints[canonical] ?? []);
  const typed = partial.replace(/^['"]/, '');
  return values
    .filter((v) => startsWithCI(v, typed))
    .map((v) => ({ label: quoteValue(v), insert: quoteValue(v) + ' ', kind: 'value' as const }));
}

const MAX_ITEMS = 60;

/** What can be written at `caret` in `text`. */
export function complete(text: string, caret: number, keys: RunKeys, hints: ValueHints = {}): Completion {
  const s = text.slice(0, caret);
  const none = (from = caret): Completion => ({ from, partial: s.slice(from), items: [] });
  const done = (from: number, items: Suggestion[]): Completion => ({ from, partial: s.slice(from), items: items.slice(0, MAX_ITEMS) });
  let i = 0;
  let id: Ident | null = null;
  type State = 'key' | 'op' | 'value' | 'after';
  let state: State = 'key';
  for (;;) {
    const wsStart = i;
    while (isSpace(s[i])) i++;
    const sawSpace = i > wsStart;
    if (state === 'key') {
      if (i >= s.length) return done(i, keyItems('', keys));
      const end = scanIdent(s, i);
      if (end >= s.length) return done(i, keyItems(s.slice(i), keys));
      id = parseIdent(s.slice(i, end));
      i = end;
      state = 'op';
    } else if (state === 'op') {
      const ops = opsFor(id);
      const rest = s.slice(i);
      // Still typing the operator (`>`, `IS N`, `LI`): offer those it can become.
      const typing = ops.filter((o) => startsWithCI(o.text, rest.replace(/\s+/g, ' ')));
      if (i >= s.length || typing.length) {
        return done(
          i,
          typing.map((o) => ({ label: o.text, insert: o.text + ' ', kind: 'op', detail: o.detail })),
        );
      }
      // The longest operator the text starts with, ending where an operator can end.
      const matched = [...ALL_OPS]
        .sort((a, b) => b.text.length - a.text.length)
        .find((o) => {
          if (!startsWithCI(rest.replace(/\s+/g, ' '), o.text)) return false;
          const after = rest.replace(/\s+/g, ' ')[o.text.length];
          return isOpChar(o.text[0]) ? !isOpChar(after) : after === undefined || !/\w/.test(after);
        });
      if (!matched) return none();
      // Step over the operator as written (it may hold several spaces: `IS  NULL`).
      let words = matched.text.split(' ').length;
      while (words > 0) {
        while (isSpace(s[i])) i++;
        if (isOpChar(matched.text[0])) i += matched.text.length;
        else while (i < s.length && /\w/.test(s[i])) i++;
        words = isOpChar(matched.text[0]) ? 0 : words - 1;
      }
      state = matched.unary ? 'after' : 'value';
    } else if (state === 'value') {
      if (i >= s.length) return done(i, valueItems(id, '', hints));
      const end = scanValue(s, i);
      if (end < 0) return done(i, valueItems(id, s.slice(i), hints));
      i = end;
      state = 'after';
    } else {
      if (i >= s.length) {
        return sawSpace ? done(i, [{ label: 'and', insert: 'and ', kind: 'keyword', detail: 'another condition' }]) : none();
      }
      const word = /^\w+/.exec(s.slice(i))?.[0] ?? '';
      if (i + word.length >= s.length && startsWithCI('and', word) && word) {
        return done(i, [{ label: 'and', insert: 'and ', kind: 'keyword', detail: 'another condition' }]);
      }
      if (word.toLowerCase() !== 'and' || !isSpace(s[i + 3])) return none();
      i += 3;
      state = 'key';
    }
  }
}

/** The filter with a suggestion applied at the caret; the caret goes after the inserted text. */
export function applySuggestion(text: string, caret: number, c: Completion, item: Suggestion): { text: string; caret: number } {
  // The word under the caret is replaced whole, so accepting in the middle of `metrics.ro|c` does not leave `c` behind.
  let end = caret;
  if (item.kind === 'key' || item.kind === 'prefix') while (end < text.length && !isSpace(text[end]) && !isOpChar(text[end])) end++;
  let after = text.slice(end);
  if (item.insert.endsWith(' ') && after.startsWith(' ')) after = after.slice(1);
  const next = text.slice(0, c.from) + item.insert + after;
  return { text: next, caret: c.from + item.insert.length };
}

/** The 0-based position an INVALID_FILTER message names ("at character 17: …"), if any. */
export function errorPosition(message: string): number | null {
  const m = /at character (\d+)/.exec(message);
  return m ? Math.max(0, Number(m[1]) - 1) : null;
}
