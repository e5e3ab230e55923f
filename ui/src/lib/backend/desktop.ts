/** What the desktop shell's native menu asks for. */
export type MenuAction = 'open-project' | 'new-project' | 'import-data';
export type Unsubscribe = () => void;

const ACTIONS: readonly MenuAction[] = ['open-project', 'new-project', 'import-data'];

function detailOf(e: Event): unknown {
  return e instanceof CustomEvent ? e.detail : undefined;
}

/** The desktop shell dispatches `cairn:menu` on window for its menu items. */
export function onMenu(cb: (action: MenuAction) => void, target: EventTarget = window): Unsubscribe {
  const handler = (e: Event) => {
    const d = detailOf(e) as { action?: unknown } | undefined;
    const action = d?.action;
    if (typeof action === 'string' && (ACTIONS as readonly string[]).includes(action)) cb(action as MenuAction);
  };
  target.addEventListener('cairn:menu', handler);
  return () => target.removeEventListener('cairn:menu', handler);
}

/** The desktop shell dispatches `cairn:drop` with real file paths when files are dropped on its window. */
export function onDrop(cb: (paths: string[]) => void, target: EventTarget = window): Unsubscribe {
  const handler = (e: Event) => {
    const d = detailOf(e) as { paths?: unknown } | undefined;
    const paths = Array.isArray(d?.paths) ? d.paths.filter((p): p is string => typeof p === 'string' && p !== '') : [];
    if (paths.length) cb(paths);
  };
  target.addEventListener('cairn:drop', handler);
  return () => target.removeEventListener('cairn:drop', handler);
}
