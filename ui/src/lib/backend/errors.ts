import type { ApiError, ErrorCode } from '../types.gen';

/** An ApiError as a throwable, so `catch` blocks get the server's code, message and hint intact. */
export class BackendError extends Error implements ApiError {
  readonly code: ErrorCode;
  readonly hint?: string;
  /** HTTP status, or 0 when the server could not be reached. */
  readonly status: number;

  constructor(err: ApiError, status = 0) {
    super(err.message);
    this.name = 'BackendError';
    this.code = err.code;
    this.status = status;
    if (err.hint) this.hint = err.hint;
  }

  toJSON(): ApiError {
    return this.hint ? { code: this.code, message: this.message, hint: this.hint } : { code: this.code, message: this.message };
  }
}

function looksLikeApiError(x: unknown): x is ApiError {
  if (typeof x !== 'object' || x === null) return false;
  const o = x as Record<string, unknown>;
  return typeof o.code === 'string' && typeof o.message === 'string';
}

/** Builds the error for a non-2xx response. Bodies that are not an ApiError (a proxy's HTML page) still give a readable message. */
export async function errorFromResponse(res: Response): Promise<BackendError> {
  let text = '';
  try {
    text = await res.text();
  } catch {
    // The body is only extra detail; the status alone still makes an error.
  }
  try {
    const body: unknown = JSON.parse(text);
    if (looksLikeApiError(body)) return new BackendError(body, res.status);
  } catch {
    // Not JSON: fall through to a generic error naming the status.
  }
  const code: ErrorCode = res.status === 401 ? 'UNAUTHORIZED' : res.status === 404 ? 'ROUTE_NOT_FOUND' : 'INTERNAL';
  const detail = text.trim().replace(/\s+/g, ' ').slice(0, 200);
  return new BackendError(
    {
      code,
      message: `the server answered ${res.status} ${res.statusText}`.trim() + (detail ? `: ${detail}` : ''),
      hint: 'this is unexpected; check the terminal running `cairn serve` for details',
    },
    res.status,
  );
}

export function networkError(cause: unknown): BackendError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new BackendError({
    code: 'IO',
    message: `cannot reach the Cairn server (${why})`,
    hint: 'check that `cairn serve` (or the Cairn app) is still running, then retry',
  });
}

export function isAbort(e: unknown): boolean {
  return (e instanceof DOMException || e instanceof Error) && e.name === 'AbortError';
}

/** Any thrown value as an ApiError, for display. */
export function toApiError(e: unknown): ApiError {
  if (e instanceof BackendError) return e.toJSON();
  if (looksLikeApiError(e)) return e;
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'INTERNAL', message, hint: 'this is a bug in Cairn; reloading the page usually helps' };
}

export function hasCode(e: unknown, code: ErrorCode): boolean {
  return e instanceof BackendError ? e.code === code : looksLikeApiError(e) && e.code === code;
}
