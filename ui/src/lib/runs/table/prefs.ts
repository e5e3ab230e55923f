/** The runs table's chosen columns, remembered per project in this browser (a preference, not project data). */
const key = (pid: string) => `cairn.runs.columns.${pid}`;

export function loadChosen(pid: string): string[] | null {
  try {
    const raw = localStorage.getItem(key(pid));
    const v: unknown = raw ? JSON.parse(raw) : null;
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : null;
  } catch {
    return null;
  }
}

export function saveChosen(pid: string, ids: readonly string[] | null): void {
  try {
    if (ids) localStorage.setItem(key(pid), JSON.stringify(ids));
    else localStorage.removeItem(key(pid));
  } catch {
    // Storage full or disabled: the choice lasts for this page only.
  }
}

const nestKey = (pid: string) => `cairn.runs.nested.${pid}`;

/** Whether child runs sit under their parents (the default) or are listed like any other run. */
export function loadNesting(pid: string): boolean {
  try {
    return localStorage.getItem(nestKey(pid)) !== 'off';
  } catch {
    return true;
  }
}

export function saveNesting(pid: string, on: boolean): void {
  try {
    if (on) localStorage.removeItem(nestKey(pid));
    else localStorage.setItem(nestKey(pid), 'off');
  } catch {
    // As for columns: the choice lasts for this page only.
  }
}
