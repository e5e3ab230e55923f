import { expect, test } from '@playwright/test';
import { dataFile, openApp } from './helpers';

// The desktop shell talks to the page through DOM events; a browser test can send the same ones.
test('desktop menu and file drop events open the import dialog', async ({ page }) => {
  await openApp(page);
  await page.evaluate(() => window.dispatchEvent(new CustomEvent('cairn:menu', { detail: { action: 'import-data' } })));
  await expect(page.getByTestId('import-dialog')).toBeVisible();
  await expect(page.getByTestId('import-path')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('import-dialog')).toBeHidden();

  const path = dataFile('adult.csv');
  await page.evaluate((p) => window.dispatchEvent(new CustomEvent('cairn:drop', { detail: { paths: [p] } })), path);
  await expect(page.getByTestId('import-file-name')).toHaveText('adult.csv');
  await expect(page.getByTestId('import-start')).toBeEnabled();

  // A second drop while the dialog is open replaces the file being previewed.
  const other = dataFile('diabetic_data.csv');
  await page.evaluate((p) => window.dispatchEvent(new CustomEvent('cairn:drop', { detail: { paths: [p] } })), other);
  await expect(page.getByTestId('import-file-name')).toHaveText('diabetic_data.csv');
  await page.keyboard.press('Escape');

  await page.evaluate(() => window.dispatchEvent(new CustomEvent('cairn:menu', { detail: { action: 'open-project' } })));
  await expect(page.getByTestId('welcome')).toBeVisible();
  await expect(page.getByTestId('open-path')).toBeFocused();
});
