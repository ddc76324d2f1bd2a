/**
 * The committed fixtures and known deviations, compiled into the page so that a person who opens it
 * (on any device, from any static host) runs the same set as `pnpm conformance`.
 */
import type { Fixture } from '../../conformance/src/adapter.js';
import { parseExpectations, type Expectation } from '../../conformance/src/expectations.js';
import { checkUniqueNames, parseFixture } from '../../conformance/src/fixture.js';

// the files of @focal-loss/fixtures (the same set the CLI loads through that package)
const fixtureModules = import.meta.glob<unknown>('../../../packages/fixtures/fixtures/**/*.json', { eager: true, import: 'default' });
const expectationModules = import.meta.glob<unknown>('../../conformance/expectations/*.json', { eager: true, import: 'default' });

/**
 * "../../../packages/fixtures/fixtures/tail/x.json" -> "fixtures/tail/x.json" and
 * "../../conformance/expectations/a.json" -> "expectations/a.json", the labels in messages.
 */
function label(path: string): string {
  return path.replace(/^(\.\.\/)+(packages\/fixtures\/|conformance\/)/, '');
}

export function bundledFixtures(): Fixture[] {
  return checkUniqueNames(Object.entries(fixtureModules).map(([path, json]) => parseFixture(json, label(path))));
}

export function bundledExpectations(): Record<string, Expectation[]> {
  const out: Record<string, Expectation[]> = {};
  for (const [path, json] of Object.entries(expectationModules)) {
    const adapter = path.slice(path.lastIndexOf('/') + 1, -'.json'.length);
    out[adapter] = parseExpectations(json, label(path));
  }
  return out;
}
