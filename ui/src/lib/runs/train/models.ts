import { backend } from '../../backend';
import type { ModelInfo } from '../../types.gen';

let cached: Promise<ModelInfo[]> | null = null;

/** The model catalogue: fixed for a server's life, so asked for once (again after a failure). */
export function loadModels(): Promise<ModelInfo[]> {
  if (!cached) {
    cached = backend.models().catch((e: unknown) => {
      cached = null;
      throw e;
    });
  }
  return cached;
}
