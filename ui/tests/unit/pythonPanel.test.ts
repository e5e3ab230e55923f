import { describe, expect, it } from 'vitest';
import { exportLines, MASK, mlflowTarget, PLACEHOLDER_EXPERIMENT, pythonExample, pythonString, shellWord } from '../../src/lib/runs/pythonPanel';

describe('export lines', () => {
  it('names the origin and the token as the mlflow client reads them', () => {
    expect(exportLines('http://127.0.0.1:40123', '3f9c0a')).toBe('export MLFLOW_TRACKING_URI=http://127.0.0.1:40123\nexport MLFLOW_TRACKING_TOKEN=3f9c0a');
  });

  it('masks the token for the screen, and only the token', () => {
    const masked = exportLines('http://localhost:7878', 'secret-token', true);
    expect(masked).toBe(`export MLFLOW_TRACKING_URI=http://localhost:7878\nexport MLFLOW_TRACKING_TOKEN=${MASK}`);
    expect(masked).not.toContain('secret');
    // The mask does not give the token's length away.
    expect(exportLines('http://x', 'a', true)).toBe(exportLines('http://x', 'a'.repeat(64), true));
  });

  it('quotes what a shell would otherwise split or expand', () => {
    expect(shellWord('abc123')).toBe('abc123');
    expect(shellWord('http://127.0.0.1:1/')).toBe('http://127.0.0.1:1/');
    expect(shellWord('a b')).toBe("'a b'");
    expect(shellWord('$HOME')).toBe("'$HOME'");
    expect(shellWord("it's")).toBe(`'it'\\''s'`);
    expect(shellWord('')).toBe("''");
    expect(exportLines('http://127.0.0.1:1', 'x;y')).toContain("MLFLOW_TRACKING_TOKEN='x;y'");
  });
});

describe('python example', () => {
  it('is six lines that log one run into the experiment on screen', () => {
    const code = pythonExample('Readmission');
    expect(code.split('\n')).toEqual([
      'import mlflow',
      '',
      'mlflow.set_experiment("Readmission")',
      'with mlflow.start_run():',
      '    mlflow.log_param("learning_rate", 0.01)',
      '    mlflow.log_metric("accuracy", 0.93)',
    ]);
  });

  it('falls back to a placeholder experiment when none is on screen', () => {
    expect(pythonExample(undefined)).toContain(`mlflow.set_experiment("${PLACEHOLDER_EXPERIMENT}")`);
    expect(pythonExample('')).toContain(`mlflow.set_experiment("${PLACEHOLDER_EXPERIMENT}")`);
  });

  it('writes any experiment name as a valid Python string literal', () => {
    expect(pythonString('say "hi"')).toBe('"say \\"hi\\""');
    expect(pythonString('back\\slash')).toBe('"back\\\\slash"');
    expect(pythonString('two\nlines')).toBe('"two\\nlines"');
    expect(pythonString('Réadmission — 30 j')).toBe('"Réadmission — 30 j"');
    expect(pythonExample('a "b"')).toContain('mlflow.set_experiment("a \\"b\\"")');
  });
});

describe('which project scripts log into', () => {
  it('is this one when the server serves it', () => {
    expect(mlflowTarget('p1', 'p1')).toEqual({ kind: 'here' });
  });
  it('is another one when the session started elsewhere', () => {
    expect(mlflowTarget('p2', 'p1')).toEqual({ kind: 'elsewhere', pid: 'p1' });
  });
  it('is none when the server has no project for MLflow clients', () => {
    expect(mlflowTarget('p1', undefined)).toEqual({ kind: 'none' });
    expect(mlflowTarget('p1', null)).toEqual({ kind: 'none' });
  });
});
