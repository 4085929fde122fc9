// Builds the web pages (ui/): esbuild bundles the Preact app into dist/ui/app.js; index.html and app.css are copied.
// Prints the gzipped size: the whole UI's JavaScript must stay under 150 KB gzipped (issue 15).
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

mkdirSync('dist/ui', { recursive: true });
await build({
  entryPoints: ['ui/src/main.tsx'],
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2020',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outfile: 'dist/ui/app.js',
  legalComments: 'none',
  logLevel: 'warning',
});
copyFileSync('ui/index.html', 'dist/ui/index.html');
copyFileSync('ui/app.css', 'dist/ui/app.css');
const gz = gzipSync(readFileSync('dist/ui/app.js')).length;
if (process.env.HOOKD_BUILD_QUIET !== '1') console.log(`ui: dist/ui/app.js ${(gz / 1024).toFixed(1)} KB gzipped`);
