const KEY = 'cairn.token';

/**
 * Takes the session token from `?token=` (the link `cairn serve` printed), keeps it for this tab in
 * sessionStorage, and removes it from the address bar so it does not end up in bookmarks or screenshots.
 */
export function takeToken(loc: Location = window.location, storage: Storage = window.sessionStorage, hist: History = window.history): string | null {
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
