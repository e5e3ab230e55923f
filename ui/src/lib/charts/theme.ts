// The look the profile charts have (options.ts), shared by the run and comparison charts.
export const GREEN = '#2f6f5e';
export const AXIS = '#9aa19d';
export const INK = '#1e2925';
export const INK_2 = '#3d4843';
export const LINE = '#e2ded4';
export const SPLIT = '#eeebe4';
export const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

export const tooltipBase = {
  confine: true,
  borderColor: LINE,
  textStyle: { fontFamily: FONT, fontSize: 12, color: INK },
  extraCssText: 'box-shadow: 0 4px 14px rgba(30,41,37,0.12); border-radius: 6px;',
};

export const axisLabel = { color: AXIS, fontSize: 10.5 };
export const axisName = { color: INK_2, fontSize: 11, fontWeight: 500 };

export function valueAxis(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'value',
    name,
    nameLocation: 'middle',
    nameTextStyle: axisName,
    splitNumber: 4,
    axisLine: { show: false },
    axisTick: { show: false },
    splitLine: { lineStyle: { color: SPLIT } },
    axisLabel,
    ...extra,
  };
}

/**
 * One color per run, the same in every chart of a comparison (by the run's place in the list). Chosen to
 * stay apart from each other on the light background; the first is the app's green.
 */
export const RUN_COLORS = [
  '#2f6f5e',
  '#c8553d',
  '#3a6ea5',
  '#c99a06',
  '#7b4b94',
  '#2a9d8f',
  '#8c5a3c',
  '#5c677d',
  '#d16ba5',
  '#6a994e',
  '#1d3557',
  '#e07a1f',
  '#8e7dbe',
  '#a4161a',
  '#4d908e',
  '#9c6644',
  '#577590',
  '#b08900',
  '#43aa8b',
  '#6d597a',
];

export function runColor(i: number): string {
  return RUN_COLORS[((i % RUN_COLORS.length) + RUN_COLORS.length) % RUN_COLORS.length];
}
