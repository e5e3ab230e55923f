import { expect, test } from '@playwright/test';
import { join } from 'node:path';
import { dataFile, importViaApi, openApp, shot, SHOTS } from './helpers';

test('insights on diabetic_data: readmitted = <30 flags the identifiers and shows the ~11% positive rate', async ({ page, request }) => {
  test.setTimeout(180_000);
  const ds = await importViaApi(request, dataFile('diabetic_data.csv'), 'diabetic_insights');
  await openApp(page);
  await page.getByText('diabetic_insights').first().click();
  await page.getByTestId('tab-insights').click();

  await page.getByTestId('insights-target').selectOption('readmitted');
  await page.getByTestId('insights-derive').check();
  await page.getByTestId('insights-value').fill('<30');
  await page.getByTestId('insights-run').click();
  await expect(page.getByTestId('progress')).toBeVisible();

  const summary = page.getByTestId('insights-summary');
  await expect(summary).toBeVisible({ timeout: 120_000 });
  await expect(summary).toContainText('readmitted = <30');
  await expect(page.getByTestId('positive-rate')).toContainText('11.2%');
  await expect(page.getByTestId('flagged-encounter_id')).toContainText('identifier');
  await expect(page.getByTestId('flagged-encounter_id')).toContainText('a row key');
  await expect(page.getByTestId('flagged-patient_nbr')).toContainText('identifier');
  await expect(page.getByTestId('flagged-patient_nbr')).toContainText('rows per value');
  await expect(page.getByTestId('flagged-weight')).toContainText('mostly missing');
  await expect(page.getByTestId('heatmap')).toBeVisible();
  // Each column of the matrix is named above it too, not only along its rows.
  await expect(page.getByTestId('heatmap').locator('.tl')).toHaveCount(await page.getByTestId('heatmap').locator('.hl').count());
  await expect(page.getByTestId('chart')).toHaveCount(3);
  // The page scrolls inside the window: a tall window shows it whole in the screenshot.
  await page.setViewportSize({ width: 1400, height: 3000 });
  await shot(page, 'insights-diabetic');
  await page.getByTestId('heatmap').locator('..').screenshot({ path: join(SHOTS, 'insights-heatmap.png') });
  await page.setViewportSize({ width: 1400, height: 860 });

  // The address names the target: reloading shows the saved report without running it again.
  expect(page.url()).toContain(`/d/${ds.id}/insights?target=readmitted&eq=%3C30`);
  await page.reload();
  await expect(page.getByTestId('positive-rate')).toContainText('11.2%');

  // The HTML download is the self-contained page.
  const href = await page.getByTestId('download-html').getAttribute('href');
  const res = await request.get(new URL(href!, page.url()).toString());
  expect(res.ok()).toBeTruthy();
  const html = await res.text();
  expect(html).toContain('encounter_id');
  expect(html).toContain('11.2%');
  expect(html).not.toContain('<script');
});

test('insights: a target value that does not exist is named with the values there are', async ({ page, request }) => {
  await importViaApi(request, dataFile('diabetic_data.csv'), 'diabetic_insights');
  await openApp(page);
  await page.getByText('diabetic_insights').first().click();
  await page.getByTestId('tab-insights').click();
  await page.getByTestId('insights-target').selectOption('readmitted');
  await page.getByTestId('insights-derive').check();
  await page.getByTestId('insights-value').fill('<3O');
  await page.getByTestId('insights-run').click();
  await expect(page.getByText("'<3O' is not a value of 'readmitted'")).toBeVisible({ timeout: 60_000 });
});
