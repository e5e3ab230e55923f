import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// The UI is served by cairn-server (same origin), so `vite dev` proxies /api to a running `cairn serve`.
export default defineConfig({
  plugins: [svelte()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 900 },
  server: { proxy: { '/api': process.env.CAIRN_API ?? 'http://127.0.0.1:7878' } },
  test: { environment: 'jsdom', include: ['tests/unit/**/*.test.ts'] },
});
