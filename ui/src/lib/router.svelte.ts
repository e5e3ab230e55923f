import { href, parseHash, type Route } from './routes';

export type { Route };
export { href };

class Router {
  route = $state<Route>(parseHash(typeof location === 'undefined' ? '' : location.hash));

  constructor() {
    if (typeof window !== 'undefined') {
      // Back/forward between pushState entries fires popstate; a typed or linked hash fires hashchange.
      const sync = () => {
        this.route = parseHash(location.hash);
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
