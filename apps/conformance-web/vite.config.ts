/**
 * Builds the conformance report page. The page imports the runner and the adapter modules straight
 * from apps/conformance/src (Vite compiles the TypeScript), and the committed fixtures through
 * import.meta.glob, so the build is self-contained: dist/ can be copied to any static host.
 *
 * The wasm backends fetch their binaries at run time from a URL we give them, so those files are
 * copied next to the page (dist/wasm/...) by `wasmAssets` below, and served from node_modules in dev.
 */
import { readdirSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defineConfig, type Plugin } from 'vite';

const appDir = fileURLToPath(new URL('.', import.meta.url));

/**
 * A dependency's directory. Not through require.resolve: onnxruntime-web's exports hide both its
 * package.json and its dist/ folder.
 */
function packageDir(name: string): string {
  return realpathSync(join(appDir, 'node_modules', name));
}

interface WasmSource {
  /** URL folder under the page, e.g. "wasm/tfjs/". */
  readonly urlDir: string;
  readonly dir: string;
  readonly files: readonly string[];
}

function wasmSources(): WasmSource[] {
  const tfjsDir = join(packageDir('@tensorflow/tfjs-backend-wasm'), 'dist');
  const ortDir = join(packageDir('onnxruntime-web'), 'dist');
  return [
    { urlDir: 'wasm/tfjs/', dir: tfjsDir, files: readdirSync(tfjsDir).filter((f) => f.endsWith('.wasm')) },
    {
      urlDir: 'wasm/ort/',
      dir: ortDir,
      // The default onnxruntime-web entry (wasm EP + WebGPU through JSEP) loads only the .jsep
      // variant: its .mjs loader is imported from wasmPaths, then its .wasm. The other variants
      // (.asyncify, .jspi, plain) belong to other entries and would add ~58 MB for nothing.
      files: readdirSync(ortDir).filter((f) => f.startsWith('ort-wasm-simd-threaded.jsep.')),
    },
  ];
}

function wasmAssets(): Plugin {
  const sources = wasmSources();
  return {
    name: 'focal-conformance-wasm-assets',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const path = (req.url ?? '').split('?')[0] ?? '';
        for (const source of sources) {
          const prefix = `/${source.urlDir}`;
          const file = path.startsWith(prefix) ? path.slice(prefix.length) : undefined;
          if (file !== undefined && source.files.includes(file)) {
            res.setHeader('Content-Type', file.endsWith('.wasm') ? 'application/wasm' : 'text/javascript');
            res.end(readFileSync(join(source.dir, file)));
            return;
          }
        }
        next();
      });
    },
    generateBundle() {
      for (const source of sources) {
        for (const file of source.files) {
          this.emitFile({ type: 'asset', fileName: `${source.urlDir}${file}`, source: readFileSync(join(source.dir, file)) });
        }
      }
    },
  };
}

export default defineConfig({
  // Relative URLs: dist/ works from any folder of any static host, and from the CLI's local server.
  base: './',
  plugins: [wasmAssets()],
  build: {
    target: 'es2022',
    // The committed fixtures and the backends make a large bundle; that is expected here.
    chunkSizeWarningLimit: 8000,
  },
  // onnxruntime-web's "use-extern-wasm" build: it imports its .mjs loader from ort.env.wasm.wasmPaths
  // at run time instead of embedding it, so the only copy of the wasm files is the one under wasm/ort/.
  resolve: { conditions: ['onnxruntime-web-use-extern-wasm', ...defaultClientConditions] },
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  worker: { format: 'es' },
});
