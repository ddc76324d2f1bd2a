#!/usr/bin/env node
// `pnpm test:installed-alone`: installs the packed packages the way a user would, outside the
// workspace, and uses them from a plain ESM script and a plain CommonJS script.
//
//   a. @focal-loss/core + @focal-loss/typed-array, and nothing of TF.js or onnxruntime comes along;
//   b. @focal-loss/tfjs + @tensorflow/tfjs-core + @tensorflow/tfjs-backend-cpu;
//   c. @focal-loss/onnxruntime-web + onnxruntime-web;
//   d. @focal-loss/fixtures alone (data, manifest, schemas; no dependencies at all).
// Each adapter is first installed WITHOUT its peer (npm 7+ installs peers itself, so
// --legacy-peer-deps simulates a user who forgot it): importing it must fail with an error that
// names the missing package. Then the peer is added and the real values are checked, and the first
// code example of each package's README (as shipped in the tarball) must run.
//
// The packages are ESM only; the CommonJS scripts reach them through require(esm), unflagged since
// Node 20.19 / 22.12. Packing uses `pnpm pack`, which rewrites workspace:* to the version, exactly
// as `changeset publish` does. npm needs the registry for the peers (served from its cache when
// possible: --prefer-offline).
//
// Usage: node scripts/installed-alone.mjs [a] [b] [c]   (default: all; the adapters must be built)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEsbuild } from './lib/esbuild.mjs';
import { isBuilt, packPackage, publishablePackages } from './lib/workspace.mjs';

const NPM_FLAGS = ['--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'];
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
const log = (message) => console.log(`[installed-alone ${elapsed()}] ${message}`);

// FL(x = ln 4, y = 1, alpha = 0.25, gamma = 2): p = 0.8, so 0.25 * 0.2^2 * -ln 0.8 (the paper's example).
// Its derivative -alpha (1 - p)^gamma (1 - p - gamma p ln p) is written out in each script.
const SHARED_CONSTANTS = `
const X = Math.log(4);
const EXPECTED_LOSS = 0.00223144;
const EXPECTED_GRAD = -0.25 * 0.2 ** 2 * (1 - 0.8 - 2 * 0.8 * Math.log(0.8));
function close(actual, expected, tolerance, what) {
  if (!(Math.abs(actual - expected) <= tolerance)) {
    throw new Error(what + ': got ' + actual + ', expected ' + expected + ' within ' + tolerance);
  }
  console.log('  ok  ' + what + ' = ' + actual.toPrecision(9));
}
function throwsCode(fn, code, mention, what) {
  try { fn(); } catch (error) {
    if (error.code !== code || !String(error.message).includes(mention)) {
      throw new Error(what + ': expected ' + code + ' naming ' + mention + ', got ' + error.code + ': ' + error.message);
    }
    console.log('  ok  ' + what + ' -> ' + error.message);
    return;
  }
  throw new Error(what + ': did not throw');
}
`;

/** The checks of one scenario, written once and loaded both by `import` and by `require`. */
const scenarios = {
  a: {
    title: 'core + typed-array',
    packages: ['@focal-loss/core', '@focal-loss/typed-array'],
    peers: [],
    mustNotInstall: ['@tensorflow/tfjs-core', '@tensorflow/tfjs', 'onnxruntime-web', 'onnxruntime-common', 'onnxruntime-node'],
    readmeExamples: [
      { package: '@focal-loss/core', heading: null },
      { package: '@focal-loss/typed-array', heading: null },
      { package: '@focal-loss/typed-array', heading: '## Presets and the options they need' },
      { package: '@focal-loss/typed-array', heading: '## float16 inputs' },
      { package: '@focal-loss/typed-array', heading: '## Poly-1 (`polyEpsilon`)' },
      { package: '@focal-loss/typed-array', heading: '## The focal-loss family' },
    ],
    modules: { core: '@focal-loss/core', typed: '@focal-loss/typed-array' },
    body: `
const element = core.createElementResult();
core.sigmoidFocalFromLogit(X, 1, 2, 0.25, 0.75, element);
close(element.loss, EXPECTED_LOSS, 1e-6, 'core sigmoidFocalFromLogit loss');
close(element.grad, EXPECTED_GRAD, 1e-9, 'core sigmoidFocalFromLogit d/dx');
throwsCode(() => core.resolveSigmoidOptions({ gamma: -1 }), 'INVALID_OPTION', '-1', 'core rejects gamma -1');

const result = typed.sigmoidFocalLoss(
  { data: new Float64Array([X]), shape: [1] },
  { data: new Float32Array([1]), shape: [1] },
  { alpha: 0.25, gamma: 2, reduction: 'none', gradient: true },
);
close(result.loss.data[0], EXPECTED_LOSS, 1e-6, 'typed-array sigmoidFocalLoss loss');
close(result.gradInput.data[0], EXPECTED_GRAD, 1e-9, 'typed-array sigmoidFocalLoss gradInput');
// gamma 0 and no alpha is cross-entropy: two equal logits give ln 2.
const softmax = typed.softmaxFocalLoss(
  { data: new Float32Array([0.5, 0.5]), shape: [1, 2] },
  { data: new Int32Array([1]), shape: [1] },
  { alpha: null, gamma: 0, reduction: 'sum' },
);
close(softmax.loss.data[0], Math.LN2, 1e-6, 'typed-array softmaxFocalLoss at gamma 0 (= ln 2)');
throwsCode(
  () => typed.sigmoidFocalLoss({ data: new Float32Array(2), shape: [2] }, { data: new Float32Array(3), shape: [3] }),
  'SHAPE_MISMATCH', '[3]', 'typed-array rejects shapes [2] vs [3]',
);
`,
  },
  b: {
    title: 'tfjs adapter + @tensorflow/tfjs-core + @tensorflow/tfjs-backend-cpu',
    packages: ['@focal-loss/core', '@focal-loss/tfjs'],
    adapter: '@focal-loss/tfjs',
    missingPeer: '@tensorflow/tfjs-core',
    // The peer at the adapter's declared range; the backend at the range the adapter tests with.
    peers: [
      { name: '@tensorflow/tfjs-core', range: (m) => m.get('@focal-loss/tfjs').peerDependencies['@tensorflow/tfjs-core'] },
      { name: '@tensorflow/tfjs-backend-cpu', range: (m) => m.get('@focal-loss/tfjs').devDependencies['@tensorflow/tfjs-backend-cpu'] },
    ],
    mustNotInstall: ['onnxruntime-web', 'onnxruntime-common', '@focal-loss/typed-array'],
    readmeExamples: [
      { package: '@focal-loss/tfjs', heading: '## A custom training step' },
      { package: '@focal-loss/tfjs', heading: '## The focal-loss family' },
    ],
    modules: { tf: '@tensorflow/tfjs-core', cpu: '@tensorflow/tfjs-backend-cpu', adapter: '@focal-loss/tfjs' },
    body: `
await tf.setBackend('cpu');
const x = tf.tensor1d([X]);
const y = tf.tensor1d([1]);
const options = { alpha: 0.25, gamma: 2, reduction: 'none' };
close(adapter.sigmoidFocalLoss(x, y, options).dataSync()[0], EXPECTED_LOSS, 1e-6, 'tfjs sigmoidFocalLoss loss (float32)');
const grad = tf.grad((logits) => adapter.sigmoidFocalLoss(logits, y, { ...options, reduction: 'sum' }))(x);
close(grad.dataSync()[0], EXPECTED_GRAD, 1e-7, 'tfjs tf.grad of sigmoidFocalLoss (float32)');
throwsCode(() => adapter.sigmoidFocalLoss(x, tf.tensor1d([1, 0]), options), 'SHAPE_MISMATCH', '[2]', 'tfjs rejects shapes [1] vs [2]');
`,
  },
  c: {
    title: 'onnxruntime-web adapter + onnxruntime-web',
    packages: ['@focal-loss/core', '@focal-loss/onnxruntime-web'],
    adapter: '@focal-loss/onnxruntime-web',
    missingPeer: 'onnxruntime-web',
    peers: [{ name: 'onnxruntime-web', range: (m) => m.get('@focal-loss/onnxruntime-web').peerDependencies['onnxruntime-web'] }],
    mustNotInstall: ['@tensorflow/tfjs-core', '@tensorflow/tfjs', '@focal-loss/typed-array'],
    readmeExamples: [
      { package: '@focal-loss/onnxruntime-web', heading: '### Standalone model' },
      { package: '@focal-loss/onnxruntime-web', heading: '## The focal-loss family and Poly-1' },
    ],
    modules: { adapter: '@focal-loss/onnxruntime-web' },
    body: `
const runner = new adapter.FocalLossRunner();
try {
  const result = await runner.sigmoidFocalLoss(
    { data: new Float32Array([X]), shape: [1] },
    { data: new Float32Array([1]), shape: [1] },
    { alpha: 0.25, gamma: 2, reduction: 'none', gradient: true },
  );
  close(result.loss.data[0], EXPECTED_LOSS, 1e-6, 'onnxruntime-web sigmoidFocalLoss loss (float32)');
  close(result.gradInput.data[0], EXPECTED_GRAD, 1e-7, 'onnxruntime-web sigmoidFocalLoss gradInput (float32)');
  let rejected = null;
  await runner.sigmoidFocalLoss({ data: new Float32Array(1), shape: [1] }, { data: new Float32Array(1), shape: [1] }, { gamma: -1 })
    .catch((error) => { rejected = error; });
  throwsCode(() => { if (rejected) throw rejected; }, 'INVALID_OPTION', '-1', 'onnxruntime-web rejects gamma -1');
} finally {
  await runner.dispose();
}
`,
  },
  d: {
    title: 'fixtures (data, manifest and schemas) alone',
    packages: ['@focal-loss/fixtures'],
    peers: [],
    mustNotInstall: ['@focal-loss/core', '@focal-loss/typed-array', '@tensorflow/tfjs-core', 'onnxruntime-web', 'ajv'],
    readmeExamples: [{ package: '@focal-loss/fixtures', heading: null }],
    modules: { fixtures: '@focal-loss/fixtures' },
    body: `
const fs = await import('node:fs');
if (fixtures.FORMAT !== 'focal-loss-fixture/1' || fixtures.FORMAT_VERSION !== '1.1') throw new Error('wrong format version');
close(fixtures.manifest.fixtures.length, fixtures.manifest.count, 0, 'manifest lists count fixtures');
const missing = fixtures.manifest.fixtures.filter((f) => !fs.existsSync(fixtures.fixturePath(f.name)));
if (missing.length > 0) throw new Error('fixture files missing from the tarball: ' + missing.map((f) => f.name).join(', '));
console.log('  ok  every one of the ' + fixtures.manifest.count + ' manifest entries has its file');
const worked = fixtures.readFixture('sigmoid/worked-example');
close(worked.expected.loss.data[0], EXPECTED_LOSS, 1e-8, 'sigmoid/worked-example expected loss');
for (const path of [fixtures.schemaPaths.fixture, fixtures.schemaPaths.report]) {
  const schema = JSON.parse(fs.readFileSync(path, 'utf8'));
  if (schema.$schema !== 'https://json-schema.org/draft/2020-12/schema') throw new Error(path + ' is not a draft 2020-12 schema');
}
console.log('  ok  both JSON Schemas ship (draft 2020-12)');
`,
  },
};

function writeChecks(dir, scenario) {
  const names = Object.entries(scenario.modules);
  const esm = [
    ...names.map(([binding, specifier]) => `import * as ${binding} from '${specifier}';`),
    SHARED_CONSTANTS,
    `console.log('ESM import:');`,
    `await (async () => {${scenario.body}})();`,
  ].join('\n');
  const cjs = [
    `'use strict';`,
    ...names.map(([binding, specifier]) => `const ${binding} = require('${specifier}');`),
    SHARED_CONSTANTS,
    `console.log('CommonJS require:');`,
    `(async () => {${scenario.body}})().catch((error) => { console.error(error); process.exitCode = 1; });`,
  ].join('\n');
  writeFileSync(join(dir, 'check.mjs'), esm);
  writeFileSync(join(dir, 'check.cjs'), cjs);
}

function npmInstall(dir, specs, extraFlags = []) {
  execFileSync('npm', ['install', ...NPM_FLAGS, ...extraFlags, ...specs], { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'] });
}

/** Every package name actually installed, from `npm ls --all --json`. */
function installedNames(dir) {
  const result = spawnSync('npm', ['ls', '--all', '--json'], { cwd: dir, encoding: 'utf8' });
  const names = new Set();
  const walk = (dependencies = {}) => {
    for (const [name, node] of Object.entries(dependencies)) {
      // A missing peer is listed too ({ missing: true }, no version): it is not installed.
      if (node.missing || !node.version) continue;
      names.add(name);
      walk(node.dependencies);
    }
  };
  walk(JSON.parse(result.stdout).dependencies);
  return names;
}

/** Runs a script with node; returns { status, output }. */
function runNode(dir, args) {
  const result = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}

function runChecks(dir, label) {
  for (const file of ['check.mjs', 'check.cjs']) {
    const { status, output } = runNode(dir, [file]);
    console.log(output.replace(/^/gm, '    '));
    if (status !== 0) throw new Error(`${label}: node ${file} exited with ${status}`);
  }
}

/**
 * The README shipped in the tarball must hold a runnable example: the first js/ts code block (after
 * `heading`, when given) is taken from the installed package, stripped of TypeScript syntax with
 * esbuild, and run as an ES module in the scenario folder.
 */
function runReadmeExample(dir, { package: name, heading }) {
  const readmePath = join(dir, 'node_modules', name, 'README.md');
  if (!existsSync(readmePath)) throw new Error(`the tarball of ${name} ships no README.md`);
  const readme = readFileSync(readmePath, 'utf8');
  const from = heading === null ? 0 : readme.indexOf(`\n${heading}\n`);
  if (from < 0) throw new Error(`${name} README.md has no heading "${heading}"`);
  const block = /```(js|ts|javascript|typescript)\n([\s\S]*?)```/.exec(readme.slice(from));
  if (block === null) throw new Error(`${name} README.md has no js/ts example${heading ? ` after "${heading}"` : ''}`);
  const code = loadEsbuild().transformSync(block[2], { loader: block[1].startsWith('t') ? 'ts' : 'js', format: 'esm' }).code;
  const file = `readme-${name.replace(/[@/]/g, '_')}.mjs`;
  writeFileSync(join(dir, file), code);
  const { status, output } = runNode(dir, [file]);
  console.log(`    README example of ${name}${heading ? ` (${heading.replace(/^#+ /, '')})` : ''}:`);
  console.log(output.replace(/^/gm, '      '));
  if (status !== 0) throw new Error(`the README example of ${name} exited with ${status}`);
}

/** Importing (and requiring) the adapter without its peer must fail and name the peer. */
function assertMissingPeerMessage(dir, adapter, peer) {
  const attempts = {
    import: ['--input-type=module', '-e', `await import('${adapter}')`],
    require: ['-e', `require('${adapter}')`],
  };
  for (const [how, args] of Object.entries(attempts)) {
    const { status, output } = runNode(dir, args);
    const message = output.split('\n').find((line) => line.includes(peer)) ?? output.split('\n')[0];
    if (status === 0) throw new Error(`${how} of ${adapter} without ${peer} succeeded`);
    if (!output.includes(peer)) throw new Error(`${how} of ${adapter} without ${peer} failed without naming it:\n${output}`);
    console.log(`    ok  ${how} without the peer fails naming it: ${message.trim()}`);
  }
}

const requested = process.argv.slice(2);
const selected = Object.keys(scenarios).filter((id) => requested.length === 0 || requested.includes(id));
const packages = new Map(publishablePackages().map((pkg) => [pkg.name, pkg]));
const needed = new Set(selected.flatMap((id) => scenarios[id].packages));
const notBuilt = [...needed].filter((name) => !packages.get(name) || !isBuilt(packages.get(name)));
if (notBuilt.length > 0) {
  console.error(`Build these first (pnpm --filter <name> run build): ${notBuilt.join(', ')}`);
  process.exit(1);
}

const workDir = mkdtempSync(join(tmpdir(), 'focal-loss-installed-alone-'));
let failures = 0;
try {
  const packDir = join(workDir, 'tarballs');
  const tarballs = new Map();
  const packedManifests = new Map();
  for (const name of needed) {
    const { tarball } = packPackage(packages.get(name), packDir);
    tarballs.set(name, tarball);
    packedManifests.set(name, JSON.parse(execFileSync('tar', ['-xOzf', tarball, 'package/package.json'], { encoding: 'utf8' })));
    log(`packed ${name} -> ${tarball}`);
  }

  for (const id of selected) {
    const scenario = scenarios[id];
    const dir = join(workDir, `scenario-${id}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `installed-alone-${id}`, private: true, version: '1.0.0' }, null, 2));
    writeChecks(dir, scenario);
    log(`(${id}) ${scenario.title}: npm install in ${dir}`);
    try {
      const specs = scenario.packages.map((name) => tarballs.get(name));
      if (scenario.peers.length > 0) {
        // Without the peer first. --legacy-peer-deps stops npm from installing peers by itself.
        npmInstall(dir, specs, ['--legacy-peer-deps']);
        const present = scenario.peers.filter((peer) => installedNames(dir).has(peer.name));
        if (present.length > 0) throw new Error(`peer(s) installed although omitted: ${present.map((p) => p.name).join(', ')}`);
        log(`(${id}) installed without ${scenario.missingPeer}`);
        assertMissingPeerMessage(dir, scenario.adapter, scenario.missingPeer);
        npmInstall(dir, scenario.peers.map((peer) => `${peer.name}@${peer.range(packedManifests)}`));
        log(`(${id}) added ${scenario.peers.map((peer) => `${peer.name}@${peer.range(packedManifests)}`).join(', ')}`);
      } else {
        npmInstall(dir, specs);
      }
      const names = installedNames(dir);
      const intruders = scenario.mustNotInstall.filter((name) => names.has(name));
      if (intruders.length > 0) throw new Error(`installed packages that must not come along: ${intruders.join(', ')}`);
      log(`(${id}) installed ${names.size} packages: ${[...names].sort().join(', ')}; none of ${scenario.mustNotInstall.join(', ')}`);
      runChecks(dir, `(${id})`);
      for (const example of scenario.readmeExamples) runReadmeExample(dir, example);
      log(`(${id}) passed`);
    } catch (error) {
      failures += 1;
      console.error(`[installed-alone] (${id}) FAILED: ${error.message}`);
    }
  }
} finally {
  rmSync(workDir, { recursive: true, force: true });
}
log(failures === 0 ? `all ${selected.length} scenario(s) passed` : `${failures} scenario(s) failed`);
process.exit(failures === 0 ? 0 : 1);
