/**
 * The committed fixtures and known deviations, compiled into the page so that a person who opens it
 * (on any device, from any static host) runs the same set as `pnpm conformance`.
 */
import type { Fixture } from '../../conformance/src/adapter.js';
import { parseExpectations, type Expectation } from '../../conformance/src/expectations.js';
import { checkUniqueNames, parseFixture } from '../../conformance/src/fixture.js';

const fixtureModules = import.meta.glob<unknown>('../../conformance/fixtures/**/*.json', { eager: true, import: 'default' });
const expectationModules = import.meta.glob<unknown>('../../conformance/expectations/*.json', { eager: true, import: 'default' });

/** "../../conformance/fixtures/tail/x.json" -> "fixtures/tail/x.json", the label in messages. */
function label(path: string): string {
  return path.replace(/^(\.\.\/)+conformance\//, '');
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
