import { backend, hasCode, isAbort, toApiError } from '../backend';
import type { ApiError, ColumnProfile, Profile, Progress } from '../types.gen';

export type ProfileStatus = 'loading' | 'computing' | 'ready' | 'error';

/**
 * One dataset version's profile: fetched, or computed as a task when the server has none yet. Shared by
 * the side panel and the overview page, so opening both starts one computation, not two.
 */
export class ProfileLoad {
  status = $state<ProfileStatus>('loading');
  profile = $state.raw<Profile | null>(null);
  progress = $state.raw<Progress | null>(null);
  error = $state.raw<ApiError | null>(null);
  private byName = new Map<string, ColumnProfile>();
  private taskId: string | null = null;

  constructor(
    readonly pid: string,
    readonly did: string,
  ) {
    // No state is written before the first await, so this may be constructed inside a $derived.
    void this.fetch();
  }

  column(name: string): ColumnProfile | undefined {
    return this.byName.get(name);
  }

  private set(p: Profile): void {
    this.byName = new Map(p.columns.map((c) => [c.name, c]));
    this.profile = p;
    this.status = 'ready';
  }

  /** Tries again after an error. */
  retry(): Promise<void> {
    this.status = 'loading';
    this.error = null;
    return this.fetch();
  }

  private async fetch(): Promise<void> {
    try {
      this.set(await backend.profile(this.pid, this.did));
    } catch (e) {
      if (hasCode(e, 'NOT_COMPUTED')) return this.compute();
      this.fail(e);
    }
  }

  private async compute(): Promise<void> {
    this.status = 'computing';
    this.progress = null;
    try {
      const tid = await backend.startProfile(this.pid, this.did);
      this.taskId = tid;
      const end = await backend.followTask(tid, (ev) => {
        if (ev.type === 'progress') this.progress = ev.progress;
      });
      this.taskId = null;
      if (end.type === 'succeeded') {
        const p = end.result as Profile | null;
        this.set(p && Array.isArray(p.columns) ? p : await backend.profile(this.pid, this.did));
      } else if (end.type === 'failed') {
        this.fail(end.error);
      } else {
        this.fail({ code: 'CANCELLED', message: 'profiling was cancelled', hint: 'compute it again to see the statistics' });
      }
    } catch (e) {
      this.taskId = null;
      if (!isAbort(e)) this.fail(e);
    }
  }

  async cancel(): Promise<void> {
    if (this.taskId) await backend.cancelTask(this.taskId).catch(() => undefined);
  }

  private fail(e: unknown): void {
    this.error = toApiError(e);
    this.status = 'error';
  }
}

const loads = new Map<string, ProfileLoad>();

/** The profile of a dataset version (a re-import gives a new version, and so a new profile). */
export function profileOf(pid: string, did: string, version: string): ProfileLoad {
  const key = `${pid}/${did}/${version}`;
  let l = loads.get(key);
  if (!l) {
    l = new ProfileLoad(pid, did);
    loads.set(key, l);
  }
  return l;
}
