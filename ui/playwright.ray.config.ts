import { defineConfig } from '@playwright/test';
import base from './playwright.config';

// The Ray journey in a real browser against a real Ray head (tests/ray/run.sh starts it and sets
// RAY_ADDRESS and RAY_TOKEN). Each spec starts and stops its own `cairn serve` (one kills it mid-job), so
// the shared demo server of the main suite is not started.
export default defineConfig({
  ...base,
  globalSetup: undefined,
  testDir: './tests/ray-e2e',
  timeout: 420_000,
  expect: { timeout: 20_000 },
  outputDir: './test-results/ray-artifacts',
});
