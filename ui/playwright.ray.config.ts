import { defineConfig } from '@playwright/test';

// The Ray journey in a real browser against a real Ray head (tests/ray/run.sh starts it and sets
// RAY_ADDRESS and RAY_TOKEN). Each spec starts and stops its own `cairn serve`: one of them kills it mid-job.
export default defineConfig({
  testDir: './tests/ray-e2e',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 420_000,
  expect: { timeout: 20_000 },
  outputDir: './test-results/ray-artifacts',
  reporter: [['list']],
  use: {
    locale: 'en-US',
    timezoneId: 'UTC',
    viewport: { width: 1400, height: 860 },
    actionTimeout: 15_000,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
});
