import { expect, test, type Locator, type Page } from '@playwright/test';
import { auth, openApp, ORIGIN, projectId, shot } from './helpers';

// The step forms of the wrangling page, on the demo project's readmissions table: a step just added opens
// for editing, a split always lands first, and every operator's form refuses bad settings next to the
// field (in its labels' words) without adding a broken step.

type Op = { name: string; label: string; params: { name: string; label: string; kind: string; required: boolean; default: unknown; when: string[] }[] };

/** Makes a fresh flow over the demo dataset and opens it; the returned function deletes it (the specs share the project). */
async function openFlow(page: Page, request: import('@playwright/test').APIRequestContext, name: string): Promise<{ pid: string; done: () => Promise<void> }> {
  const pid = await projectId(request);
  const res = await request.post(`${ORIGIN}/api/projects/${pid}/flows`, { headers: auth, data: { name, dataset: 'readmissions' } });
  expect(res.ok(), await res.text()).toBeTruthy();
  const flow = await res.json();
  await openApp(page, `#/p/${pid}/flows/${encodeURIComponent(flow.name)}`);
  await expect(page.getByTestId('wrangle-page')).toBeVisible();
  await expect(page.getByTestId('preview-stats')).toContainText('Source data');
  return {
    pid,
    done: async () => {
      expect((await request.delete(`${ORIGIN}/api/projects/${pid}/flows/${encodeURIComponent(flow.name)}`, { headers: auth })).ok()).toBeTruthy();
    },
  };
}

async function fromPalette(page: Page, op: string): Promise<Locator> {
  await page.getByTestId('add-step').click();
  await page.locator(`[data-testid="palette-op"][data-op="${op}"]`).click();
  const form = page.getByTestId('step-form');
  await expect(form).toHaveAttribute('data-op', op);
  return form;
}

const field = (form: Locator, param: string) => form.getByTestId(`param-${param}`);

test('a step just added opens for editing, and a split added last lands first', async ({ page, request }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const { done } = await openFlow(page, request, 'forms-edit');

  let form = await fromPalette(page, 'fill_missing');
  await field(form, 'columns').locator('[data-col="bmi"]').click();
  await field(form, 'strategy').getByRole('combobox').selectOption('median');
  await form.getByTestId('form-submit').click();
  await expect(page.getByTestId('step-item')).toHaveCount(1);

  // Edit it at once, without a reload.
  await page.getByTestId('step-item').first().getByTestId('step-edit').click();
  form = page.getByTestId('step-form');
  await expect(form).toHaveAttribute('data-op', 'fill_missing');
  await expect(page.getByTestId('tab-steps')).toHaveText('Edit step 1');
  await expect(field(form, 'columns').locator('[data-col="bmi"]')).toHaveAttribute('aria-pressed', 'true');
  await expect(field(form, 'strategy').getByRole('combobox')).toHaveValue('median');
  await field(form, 'strategy').getByRole('combobox').selectOption('mean');
  await form.getByTestId('form-submit').click();
  await expect(page.getByTestId('step-item').first()).toContainText('bmi (mean)');

  form = await fromPalette(page, 'one_hot');
  await field(form, 'column').getByRole('combobox').selectOption('sex');
  await form.getByTestId('form-submit').click();
  await expect(page.getByTestId('step-item')).toHaveCount(2);

  // The split, added third, is step 1: the fill learns from the train rows only.
  form = await fromPalette(page, 'split');
  await expect(page.getByTestId('form-note')).toHaveText('It will be step 1. The split comes first, so every step learns from the train rows only.');
  await field(form, 'kind').getByRole('combobox').selectOption('stratified');
  await field(form, 'stratify').getByRole('combobox').selectOption('race');
  await form.getByTestId('form-submit').click();
  await expect(page.getByTestId('step-item')).toHaveCount(3);
  const ops = await page.getByTestId('step-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-op')));
  expect(ops).toEqual(['split', 'fill_missing', 'one_hot']);
  await expect(page.getByTestId('step-item').first()).toHaveAttribute('data-pinned', 'true');
  await expect(page.getByTestId('split-note')).toBeVisible();
  await expect(page.getByTestId('step-item').nth(1).getByTestId('step-up')).toBeDisabled();
  // Edited, the split opens with its values, and stays first.
  await page.getByTestId('step-item').first().getByTestId('step-edit').click();
  await expect(field(page.getByTestId('step-form'), 'stratify').getByRole('combobox')).toHaveValue('race');
  await page.getByTestId('step-form').getByRole('button', { name: 'Cancel' }).click();
  await shot(page, 'wrangle-split-pinned');
  expect(errors).toEqual([]);
  await done();
});

/**
 * Bad settings per operator: what to do in its form, and where the refusal shows (a field, or `form` for
 * the step as a whole). Operators with a required field are also submitted as they open.
 */
const BAD: Record<string, { fill: (f: Locator) => Promise<void>; at: string; says?: RegExp }[]> = {
  select: [],
  drop: [],
  rename: [{ fill: async (f) => { await f.getByRole('combobox', { name: 'add a column to rename' }).selectOption('age'); await f.getByRole('textbox', { name: 'new name for age' }).fill('sex'); }, at: 'mapping', says: /“Mapping”: "age" → "sex": column "sex" exists already/ }],
  reorder: [],
  duplicate: [{ fill: async (f) => { await field(f, 'column').getByRole('combobox').selectOption('age'); await field(f, 'name').getByRole('textbox').fill('sex'); }, at: 'name', says: /“New column”: column "sex" exists already/ }],
  cast: [{ fill: async (f) => { await field(f, 'columns').locator('[data-col="sex"]').click(); await field(f, 'to').getByRole('combobox').selectOption('int64'); }, at: 'form', says: /values in column "sex" cannot be converted/ }],
  filter: [],
  sort: [],
  dedupe: [],
  limit: [{ fill: async (f) => void (await field(f, 'rows').getByRole('spinbutton').fill('2.5')), at: 'rows', says: /a whole number/ }],
  sample: [{ fill: async (f) => void (await field(f, 'fraction').getByRole('spinbutton').fill('1.5')), at: 'fraction', says: /“Fraction”: 1.5 is not between 0 and 1/ }],
  mark_missing: [],
  drop_missing: [],
  fill_missing: [{ fill: async (f) => { await field(f, 'columns').locator('[data-col="sex"]').click(); await field(f, 'strategy').getByRole('combobox').selectOption('mean'); }, at: 'form', says: /column "sex" is str; it must be numeric/ }],
  fill_forward: [],
  fill_backward: [],
  missing_indicator: [],
  derive: [{ fill: async (f) => { await field(f, 'name').getByRole('textbox').fill('age'); await f.getByTestId('cond-when-add').click(); await f.getByTestId('cond-when-column').selectOption('bmi'); await f.getByTestId('cond-when-op').selectOption('is_null'); }, at: 'name', says: /“New column”: column "age" exists already/ }],
  formula: [{ fill: async (f) => { await field(f, 'name').getByRole('textbox').fill('r'); await field(f, 'expr').getByRole('textbox').fill('age * ('); }, at: 'expr', says: /“Expression”: at character/ }],
  one_hot: [{ fill: async (f) => { await field(f, 'column').getByRole('combobox').selectOption('race'); await field(f, 'max_categories').getByRole('spinbutton').fill('0'); }, at: 'max_categories', says: /“At most categories”: must be at least 1/ }],
  ordinal_encode: [{ fill: async (f) => { await field(f, 'column').getByRole('combobox').selectOption('sex'); await field(f, 'name').getByRole('textbox').fill('race'); }, at: 'name', says: /exists already/ }],
  frequency_encode: [{ fill: async (f) => { await field(f, 'column').getByRole('combobox').selectOption('sex'); await field(f, 'name').getByRole('textbox').fill('age'); }, at: 'name', says: /exists already/ }],
  group_rare: [{ fill: async (f) => { await field(f, 'column').getByRole('combobox').selectOption('race'); await field(f, 'min_share').getByRole('spinbutton').fill('2'); }, at: 'min_share', says: /“Least share”: must be between 0 and 1/ }],
  target_encode: [{ fill: async (f) => { await field(f, 'column').getByRole('combobox').selectOption('sex'); await field(f, 'target').getByRole('combobox').selectOption('age'); await field(f, 'smoothing').getByRole('spinbutton').fill('-1'); }, at: 'smoothing', says: /“Smoothing”: must be 0 or more/ }],
  scale: [],
  log: [],
  bin: [{ fill: async (f) => { await field(f, 'columns').locator('[data-col="bmi"]').click(); await field(f, 'bins').getByRole('spinbutton').fill('1'); }, at: 'bins', says: /“Bins”: must be between 2 and 1000/ }],
  round: [],
  outliers: [{ fill: async (f) => { await field(f, 'columns').locator('[data-col="bmi"]').click(); await field(f, 'method').getByRole('combobox').selectOption('quantile'); await field(f, 'k').getByRole('spinbutton').fill('0.7'); }, at: 'k', says: /“Fence width”/ }],
  trim: [],
  case: [],
  replace_text: [{ fill: async (f) => { await field(f, 'columns').locator('[data-col="sex"]').click(); await field(f, 'pattern').getByRole('textbox').fill('(unclosed'); }, at: 'pattern', says: /“Pattern”: .*not a valid regular expression/ }],
  extract_text: [{ fill: async (f) => { await field(f, 'column').getByRole('combobox').selectOption('sex'); await field(f, 'pattern').getByRole('textbox').fill('(.)'); await field(f, 'name').getByRole('textbox').fill('race'); }, at: 'name', says: /exists already/ }],
  split_text: [{ fill: async (f) => { await field(f, 'column').getByRole('combobox').selectOption('sex'); await field(f, 'by').getByRole('textbox').fill('a'); await field(f, 'index').getByRole('spinbutton').fill('0'); await field(f, 'name').getByRole('textbox').fill('age'); }, at: 'name', says: /exists already/ }],
  text_length: [{ fill: async (f) => { await field(f, 'column').getByRole('combobox').selectOption('sex'); await field(f, 'name').getByRole('textbox').fill('bmi'); }, at: 'name', says: /exists already/ }],
  date_parts: [],
  cyclic_encode: [],
  date_diff: [{ fill: async (f) => { await field(f, 'start').getByRole('combobox').selectOption('admit_date'); await field(f, 'end').getByRole('combobox').selectOption('admit_date'); await field(f, 'name').getByRole('textbox').fill('age'); }, at: 'name', says: /exists already/ }],
  split: [
    { fill: async (f) => void (await field(f, 'kind').getByRole('combobox').selectOption('stratified')), at: 'stratify', says: /choose a column/ },
    { fill: async (f) => void (await field(f, 'kind').getByRole('combobox').selectOption('time')), at: 'time_column', says: /choose a column/ },
    { fill: async (f) => void (await field(f, 'test_fraction').getByRole('spinbutton').fill('1.5')), at: 'test_fraction', says: /“Test fraction”: 1.5 is not between 0 and 1/ },
    { fill: async (f) => void (await field(f, 'column').getByRole('textbox').fill('age')), at: 'column', says: /“New column”: column "age" exists already/ },
  ],
  join: [],
  concat: [],
  group_by: [],
  pivot: [{ fill: async (f) => { await field(f, 'index').locator('[data-col="sex"]').click(); await field(f, 'on').getByRole('combobox').selectOption('bmi'); await field(f, 'values').getByRole('combobox').selectOption('age'); }, at: 'on', says: /“Columns from”: "bmi" holds floats/ }],
  unpivot: [{ fill: async (f) => { await field(f, 'index').locator('[data-col="encounter_id"]').click(); await field(f, 'on').locator('[data-col="age"]').click(); await field(f, 'value_name').getByRole('textbox').fill('variable'); }, at: 'value_name' }],
};

/** Operators whose every field may be left as it opens (nothing there can be wrong without data to say so). */
const NOTHING_REQUIRED = new Set(['dedupe', 'drop_missing', 'split']);

test('every operator form refuses bad settings next to the field, and adds nothing', async ({ page, request }) => {
  test.setTimeout(240_000);
  const ops: Op[] = await (await request.get(`${ORIGIN}/api/flow-ops`, { headers: auth })).json();
  // Every operator is covered, so a new one cannot slip by without its form being tried.
  expect(ops.map((o) => o.name).sort()).toEqual(Object.keys(BAD).sort());
  const { done } = await openFlow(page, request, 'forms-bad');
  const shots = new Set(['split', 'sample', 'cast', 'duplicate']);
  for (const op of ops) {
    await test.step(op.name, async () => {
      const required = op.params.filter((p) => p.required && p.when.length === 0 && (p.default === null || p.default === undefined) && !['bool', 'choice'].includes(p.kind));
      expect(required.length > 0 || NOTHING_REQUIRED.has(op.name), `${op.name} has no required field and no reason to have none`).toBeTruthy();
      if (required.length > 0) {
        // As it opens: the required fields are named, and no step is added.
        const form = await fromPalette(page, op.name);
        await form.getByTestId('form-submit').click();
        await expect(field(form, required[0].name).getByTestId('param-error')).toBeVisible();
        await expect(page.getByTestId('step-item')).toHaveCount(0);
        await form.getByRole('button', { name: 'Cancel' }).click();
      }
      for (const [k, bad] of BAD[op.name].entries()) {
        const form = await fromPalette(page, op.name);
        await bad.fill(form);
        await form.getByTestId('form-submit').click();
        const where = bad.at === 'form' ? form.getByTestId('form-error') : field(form, bad.at).getByTestId('param-error');
        await expect(where, `${op.name} #${k}: refused at ${bad.at}`).toBeVisible();
        if (bad.says) await expect(where).toHaveText(bad.says);
        // In the form's words: never a parameter as the file spells it.
        await expect(where).not.toContainText('parameter `');
        await expect(page.getByTestId('step-item')).toHaveCount(0);
        if (shots.has(op.name) && k === BAD[op.name].length - 1) await shot(page, `wrangle-form-refused-${op.name}`);
        await form.getByRole('button', { name: 'Cancel' }).click();
      }
    });
  }
  await done();
});
