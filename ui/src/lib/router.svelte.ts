import { href, mlflowLink, parseHash, type Route } from './routes';
import { app } from './state/app.svelte';

export type { Route };
export { href };

class Router {
  route = $state<Route>(parseHash(typeof location === 'undefined' ? '' : location.hash));

  constructor() {
    if (typeof window !== 'undefined') {
      // Back/forward between pushState entries fires popstate; a typed or linked hash fires hashchange.
      const sync = () => {
        // A run link the `mlflow` client printed (#/experiments/1/runs/…), pasted into an open tab: it
        // names a run of the project the server logs into. (On a first load, App resolves it once the
        // server's info is in.)
        const pid = app.info?.initial_project;
        const link = pid ? mlflowLink(location.hash, pid) : null;
        if (link) this.go(link, { replace: true });
        else this.route = parseHash(location.hash);
      };
      window.addEventListener('hashchange', sync);
      window.addEventListener('popstate', sync);
    }
  }

  go(r: Route, opts: { replace?: boolean } = {}): void {
    const h = href(r);
    if (opts.replace) history.replaceState(history.state, '', h);
    else if (location.hash !== h) history.pushState(history.state, '', h);
    // pushState does not fire hashchange, so the route is set here for both.
    this.route = parseHash(h);
  }
}

export const router = new Router();
