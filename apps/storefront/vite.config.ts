import { defineConfig } from 'vite'

/**
 * The storefront is static files: `vite build` writes them to dist/, which the gateway serves at
 * `/`. `vite` (dev) serves the page with hot reload and sends the API and the socket to a running
 * gateway (`npm start`), so the page talks to the same origin either way.
 */
export default defineConfig({
  // Preact's JSX runtime, without a plugin: the page needs no hot-reload of component state.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  server: {
    proxy: {
      '/accounts': 'http://127.0.0.1:8000',
      '/orders': 'http://127.0.0.1:8000',
      '/docs': 'http://127.0.0.1:8000',
      '/auth': 'http://127.0.0.1:8000',
      '/ws': { target: 'ws://127.0.0.1:8000', ws: true },
    },
  },
})
