import { expect, test } from '@playwright/test';
import { auth, dataFile, importViaApi, openApp, ORIGIN, projectId, shot } from './helpers';

const ROW_H = 26;

test('the app opens on the demo project and the grid scrolls to row 15,000 with real cells', async ({ page, request }) => {
  const ready: string[] = [];
  page.on('request', (r) => {
    if (r.url().endsWith('/api/ready')) ready.push(r.method());
  });
  await openApp(page);
  const item = page.getByTestId('dataset-item').filter({ hasText: 'readmissions' });
  await expect(item).toBeVisible();
  await shot(page, 'project');

  await item.click();
  await expect(page.getByTestId('row-count')).toContainText('20,000 rows');
  await expect(page.getByTestId('row-count')).toContainText('21 columns');
  const grid = page.getByTestId('grid');
  await expect(grid.locator('[data-row="0"] [data-testid=cell]').first()).not.toBeEmpty();
  await shot(page, 'grid');

  await grid.evaluate((el, y) => (el.scrollTop = y), 14_999 * ROW_H);
  const row = grid.locator('[data-row="14999"]');
  await expect(row.getByTestId('row-number')).toHaveText('15,000');
  const first = row.getByTestId('cell').first();
  await expect(first).toHaveText(/^\d+$/);

  // The cell shows what the server has at that offset, not some other page.
  const pid = await projectId(request);
  const ds = await (await request.get(`${ORIGIN}/api/projects/${pid}/datasets`, { headers: auth })).json();
  const did = ds.find((d: { name: string }) => d.name === 'readmissions').id;
  const page15k = await (await request.get(`${ORIGIN}/api/projects/${pid}/datasets/${did}/rows?offset=14999&limit=1`, { headers: auth })).json();
  await expect(first).toHaveText(String(page15k.rows[0][0]));
  await expect(page.getByTestId('grid-status')).toContainText('of 20,000');
  expect(ready).toEqual(['POST']);

  // Only a screenful of rows is in the page, not 20,000.
  expect(await grid.locator('[data-row]').count()).toBeLessThan(60);
  await shot(page, 'grid-scrolled');
});

test('clicking a header sorts ascending, then descending, then back', async ({ page, request }) => {
  const ds = await importViaApi(request, dataFile('adult.csv'), 'adult_sorting');
  const pid = await projectId(request);
  await openApp(page, `#/p/${pid}/d/${ds.id}`);
  await expect(page.getByTestId('row-count')).toContainText('32,561 rows');

  const header = page.locator('[data-testid=col-header][data-column=age]');
  const firstAge = page.getByTestId('grid').locator('[data-row="0"] [data-testid=cell]').first();
  await expect(firstAge).toHaveText('39');

  await header.getByTestId('col-sort').click();
  await expect(header).toHaveAttribute('aria-sort', 'ascending');
  await expect(firstAge).toHaveText('17');
  await expect(page.getByTestId('grid-status')).toContainText('sorted by age');

  await header.getByTestId('col-sort').click();
  await expect(header).toHaveAttribute('aria-sort', 'descending');
  await expect(firstAge).toHaveText('90');
  await shot(page, 'grid-sorted');

  await header.getByTestId('col-sort').click();
  await expect(header).toHaveAttribute('aria-sort', 'none');
  await expect(firstAge).toHaveText('39');
});
