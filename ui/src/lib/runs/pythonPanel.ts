// The text of the "Log from Python" panel: what a user pastes into a shell and a script so that the
// `mlflow` client logs into this Cairn server. Pure, so it is unit-tested.

/** The experiment the example logs into when no single experiment is on screen. */
export const PLACEHOLDER_EXPERIMENT = 'my-experiment';

/** What a masked token shows: as long as the token would not reveal its length. */
export const MASK = '•'.repeat(16);

/** A POSIX shell word: left bare when it is plainly safe, else single-quoted. */
export function shellWord(value: string): string {
  if (/^[A-Za-z0-9_./:@%+=,-]+$/.test(value)) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** A Python string literal (JSON's escapes are all valid Python escapes). */
export function pythonString(value: string): string {
  return JSON.stringify(value);
}

/** The two `export` lines; `masked` hides the token (for the screen, never for the clipboard). */
export function exportLines(origin: string, token: string, masked = false): string {
  return [`export MLFLOW_TRACKING_URI=${shellWord(origin)}`, `export MLFLOW_TRACKING_TOKEN=${masked ? MASK : shellWord(token)}`].join('\n');
}

/** A six-line script that logs one run with a parameter and a metric into `experiment`. */
export function pythonExample(experiment: string | undefined): string {
  return [
    'import mlflow',
    '',
    `mlflow.set_experiment(${pythonString(experiment || PLACEHOLDER_EXPERIMENT)})`,
    'with mlflow.start_run():',
    '    mlflow.log_param("learning_rate", 0.01)',
    '    mlflow.log_metric("accuracy", 0.93)',
  ].join('\n');
}

/**
 * Which instructions fit the project on screen. MLflow's API serves one project per server (the one it
 * started on, else the first opened): instructions shown in any other project would log elsewhere.
 */
export type Target =
  | { kind: 'here' }
  /** Scripts log into another project (`pid`); its name once known. */
  | { kind: 'elsewhere'; pid: string }
  /** The server has no project for MLflow clients (an older server started without one). */
  | { kind: 'none' };

export function mlflowTarget(shown: string, initialProject: string | null | undefined): Target {
  if (!initialProject) return { kind: 'none' };
  if (initialProject === shown) return { kind: 'here' };
  return { kind: 'elsewhere', pid: initialProject };
}
