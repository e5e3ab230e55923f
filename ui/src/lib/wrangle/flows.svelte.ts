// The project's flows, shared by the sidebar and the dataset page's Wrangle button.
import { backend } from '../backend';
import type { FlowSummary } from '../types.gen';

class Flows {
  pid = $state<string | null>(null);
  list = $state.raw<FlowSummary[] | null>(null);

  async load(pid: string): Promise<FlowSummary[]> {
    const l = await backend.flows(pid);
    this.pid = pid;
    this.list = l;
    return l;
  }
}

export const flows = new Flows();
