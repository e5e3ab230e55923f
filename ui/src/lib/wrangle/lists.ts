// A list typed into one text field (missing markers, values): items separated by commas. An item in
// double quotes is taken as written, so a marker can be a single space (" ") or hold a comma.

/** The items of `text`; an unclosed quote is still being typed and adds nothing yet. */
export function parseList(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && text[i] === ' ') i++;
    if (text[i] === '"') {
      let item = '';
      let j = i + 1;
      let closed = false;
      while (j < text.length) {
        if (text[j] === '"') {
          if (text[j + 1] === '"') {
            item += '"';
            j += 2;
            continue;
          }
          closed = true;
          break;
        }
        item += text[j++];
      }
      if (closed) out.push(item);
      const comma = text.indexOf(',', j);
      i = comma < 0 ? text.length : comma + 1;
    } else {
      const comma = text.indexOf(',', i);
      const item = text.slice(i, comma < 0 ? text.length : comma).trim();
      if (item) out.push(item);
      i = comma < 0 ? text.length : comma + 1;
    }
  }
  return out;
}

/** The text that reads back as `items`: quoted where spaces, commas or quotes would be lost. */
export function listText(items: unknown): string {
  if (!Array.isArray(items)) return '';
  return items
    .map((v) => {
      const s = String(v);
      return s === '' || s !== s.trim() || s.includes(',') || s.startsWith('"') ? `"${s.replace(/"/g, '""')}"` : s;
    })
    .join(', ');
}
