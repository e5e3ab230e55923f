import { describe, expect, it } from 'vitest';
import { listText, parseList } from '../../src/lib/wrangle/lists';

describe('lists typed in one field (Treat values as missing)', () => {
  it('splits on commas and trims plain items', () => {
    expect(parseList('?, N/A ,,  -')).toEqual(['?', 'N/A', '-']);
    expect(parseList('')).toEqual([]);
  });

  it('keeps a quoted item as written: a single space, a comma, a quote', () => {
    expect(parseList('?, " "')).toEqual(['?', ' ']);
    expect(parseList('"  ", "a, b", "say ""hi"""')).toEqual(['  ', 'a, b', 'say "hi"']);
    expect(parseList('""')).toEqual(['']);
  });

  it('adds nothing for a quote still being typed', () => {
    expect(parseList('?, "')).toEqual(['?']);
    expect(parseList('?, " ')).toEqual(['?']);
  });

  it('writes back text that reads as the same items', () => {
    for (const items of [['?', ' '], ['  ', 'a, b', 'say "hi"'], ['N/A'], ['']]) {
      expect(parseList(listText(items))).toEqual(items);
    }
    expect(listText(['?', ' '])).toBe('?, " "');
    expect(listText(undefined)).toBe('');
  });
});
