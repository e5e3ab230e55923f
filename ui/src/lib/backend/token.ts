const KEY = 'cairn.token';

/**
 * Takes the session token from `?token=` (the link `cairn serve` printed), keeps it, and removes it from
 * the address bar so it does not end up in bookmarks or screenshots.
 *
 * It is kept in localStorage, which belongs to this origin alone (127.0.0.1 and this server's port), so
 * other tabs of the same browser have it too: the link the `mlflow` client prints for a run
 * (`http://127.0.0.1:PORT/#/experiments/1/runs/…`, no token) opens in a new tab. sessionStorage is per
 * tab, and such a link showed "Open Cairn from its link". A token left from an earlier server (random
 * per start) is refused by the new one, which asks for its link as before.
 */
export function takeToken(loc: Location = window.location, storage: Storage = window.localStorage, hist: History = window.history): string | null {
  const url = new URL(loc.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    try {
      storage.setItem(KEY, fromUrl);
    } catch {
      // Storage may be disabled; the token still works for this page load.
    }
    url.searchParams.delete('token');
    hist.replaceState(hist.state, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  try {
    return storage.getItem(KEY);
  } catch {
    return null;
  }
}
