import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The renderer: built once, loaded from file:// by Electron (hence base './') and served by the web host.
export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    sourcemap: false,
    target: 'es2022',
    chunkSizeWarningLimit: 800,
  },
});
