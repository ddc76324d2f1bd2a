/**
 * The JSON Schemas of @focal-loss/fixtures and this CLI's own parsers agree: both accept every
 * committed fixture, and they give the same verdict on every hand-made test fixture (good and
 * malformed) and on reports. The one rule JSON Schema cannot state (a tensor holds product(shape)
 * values) is listed, with the file that shows it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ERROR_CODES, FAMILY_OPS, FAMILY_OPTION_NAMES, SIGMOID_OPTION_NAMES, SOFTMAX_OPTION_NAMES } from '@focal-loss/core';
import { schemaPaths } from '@focal-loss/fixtures';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { ADAPTER_OPTION_NAMES, parseFixture } from './fixture.js';
import { DEFAULT_FIXTURES_DIR } from './load-fixtures.js';
import { parseReport, reportToJson, type Report } from './report.js';

const appDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const readJson = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));
const fixtureSchema = readJson(schemaPaths.fixture) as Record<string, any>;
const reportSchema = readJson(schemaPaths.report) as Record<string, any>;
const ajv = new Ajv2020({ allErrors: true, strict: true });
const validateFixture = ajv.compile(fixtureSchema);
const validateReport = ajv.compile(reportSchema);

/** Files the parser rejects for a rule beyond JSON Schema, with that rule. */
const BEYOND_SCHEMA: Readonly<Record<string, string>> = {
  'malformed/data-length.json': 'data holds exactly product(shape) values (JSON Schema cannot multiply)',
  'malformed/float16-not-exact.json': 'float16 values are exactly representable in half precision (not expressible in JSON Schema)',
};

function jsonFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.json'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

function parserAccepts(json: unknown, file: string): boolean {
  try {
    parseFixture(json, file);
    return true;
  } catch {
    return false;
  }
}

describe('fixture schema and parser', () => {
  it('both accept every committed fixture', () => {
    const files = jsonFiles(DEFAULT_FIXTURES_DIR);
    expect(files.length).toBeGreaterThanOrEqual(270);
    const problems: string[] = [];
    for (const file of files) {
      const json = readJson(file);
      if (!validateFixture(json)) problems.push(`${file}: schema: ${ajv.errorsText(validateFixture.errors)}`);
      if (!parserAccepts(json, file)) problems.push(`${file}: parser rejects it`);
    }
    expect(problems).toEqual([]);
  });

  it('give the same verdict on every test fixture; the malformed ones are all rejected', () => {
    const root = join(appDir, 'test-fixtures');
    const files = jsonFiles(root);
    expect(files.length).toBeGreaterThanOrEqual(30);
    const verdicts = files.map((file) => {
      const json = readJson(file);
      const name = file.slice(root.length + 1);
      return { name, schema: validateFixture(json) as boolean, parser: parserAccepts(json, file) };
    });
    const disagreements = verdicts.filter((v) => v.schema !== v.parser && !(v.name in BEYOND_SCHEMA)).map((v) => `${v.name}: schema ${v.schema}, parser ${v.parser}`);
    expect(disagreements).toEqual([]);
    for (const [name, rule] of Object.entries(BEYOND_SCHEMA)) {
      expect(verdicts.find((v) => v.name === name), `${name}: ${rule}`).toMatchObject({ schema: true, parser: false });
    }
    const malformed = verdicts.filter((v) => v.name.startsWith('malformed/'));
    expect(malformed.length).toBeGreaterThanOrEqual(25);
    expect(malformed.filter((v) => v.parser)).toEqual([]);
    expect(malformed.filter((v) => v.schema).map((v) => v.name)).toEqual(Object.keys(BEYOND_SCHEMA));
    expect(verdicts.filter((v) => v.name.startsWith('good/')).every((v) => v.schema && v.parser)).toBe(true);
  });

  it('name the same option names, adapter call options and error codes as the code', () => {
    const branches = fixtureSchema['allOf'][1]['else']['anyOf'] as Array<{ properties: Record<string, any> }>;
    const names = Object.fromEntries(branches.map((b) => [b.properties['op'].const, b.properties['options'].propertyNames.enum]));
    const sorted = (byOp: Record<string, readonly string[]>) => Object.fromEntries(Object.entries(byOp).map(([op, list]) => [op, [...list].sort()]));
    expect(sorted(names)).toEqual(sorted({ sigmoid_focal_loss: SIGMOID_OPTION_NAMES, softmax_focal_loss: SOFTMAX_OPTION_NAMES, ...FAMILY_OPTION_NAMES }));
    expect(fixtureSchema['properties']['op'].enum).toEqual(['sigmoid_focal_loss', 'softmax_focal_loss', ...FAMILY_OPS]);
    expect(fixtureSchema['properties']['options'].propertyNames.not.enum).toEqual(ADAPTER_OPTION_NAMES);
    expect(fixtureSchema['$defs']['expected'].then.properties.error.enum).toEqual(ERROR_CODES);
  });
});

describe('report schema and parser', () => {
  const report: Report = {
    results: [
      { fixture: 'a/x', adapter: 'mine', status: 'pass', outputs: { loss: { maxAbsError: 0, maxRelError: 0, worstRatio: 0 } } },
      { fixture: 'a/y', adapter: 'mine', status: 'fail', reason: 'NaN', outputs: { gradInput: { maxAbsError: Infinity, maxRelError: 0, worstRatio: Infinity } } },
      { fixture: 'a/z', adapter: 'mine', status: 'skip', reason: 'no' },
    ],
    summary: { mine: { pass: 1, fail: 1, skip: 1 } },
    environment: { runtime: 'test' },
  };

  it('accept what --json writes and read it back unchanged', () => {
    const json = JSON.parse(reportToJson(report));
    expect(validateReport(json), ajv.errorsText(validateReport.errors)).toBe(true);
    expect(parseReport(json, 'r.json')).toEqual(report);
  });

  it('reject the same malformed reports', () => {
    const good = JSON.parse(reportToJson(report)) as Record<string, any>;
    const bad: unknown[] = [
      [],
      { ...good, results: 'x' },
      { ...good, results: [{ fixture: 'a', adapter: 'b', status: 'skip' }] },
      { ...good, results: [{ fixture: 'a', adapter: 'b', status: 'ok' }] },
      { ...good, results: [{ fixture: '', adapter: 'b', status: 'pass' }] },
      { ...good, results: [{ fixture: 'a', adapter: 'b', status: 'pass', outputs: { loss: { maxAbsError: -1, maxRelError: 0, worstRatio: 0 } } }] },
      { ...good, results: [{ fixture: 'a', adapter: 'b', status: 'pass', outputs: { lossy: { maxAbsError: 0, maxRelError: 0, worstRatio: 0 } } }] },
      { results: [] },
    ];
    for (const json of bad) {
      let parsed = true;
      try {
        parseReport(json, 'r.json');
      } catch {
        parsed = false;
      }
      expect({ json, schema: validateReport(json), parser: parsed }).toMatchObject({ schema: false, parser: false });
    }
  });
});
