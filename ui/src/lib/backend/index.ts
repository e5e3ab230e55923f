// The only way the rest of the UI talks to the server and the desktop shell.
import { HttpBackend } from './http';
import { takeToken } from './token';

export type { Backend, FinalTaskEvent, MenuAction, RowsQuery, Unsubscribe, Uploaded } from './api';
export { isFinal } from './api';
export { BackendError, hasCode, isAbort, toApiError } from './errors';

const token = typeof window === 'undefined' ? null : takeToken();

export const backend = new HttpBackend({ token: () => token });

/** The session token, for instructions that hand it to another client (the `mlflow` Python client). */
export function sessionToken(): string | null {
  return token;
}
