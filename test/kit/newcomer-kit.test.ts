/**
 * The files a newcomer copies rather than reads: every variable of the configuration table is in
 * the tables of docs/configuration.md, and they name no other (.env.example and that page are
 * generated from the table, and test/config.test.ts fails when either is stale).
 */
import { readFileSync } from 'node:fs';
import { VARIABLES } from '../../src/config/variables.js';

const read = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

/** Every name loadConfig reads (test/config.test.ts checks the table against what it reads). */
function configVariables(): string[] {
  return Object.entries(VARIABLES)
    .flatMap(([name, variable]) => [name, ...variable.aliases])
    .sort();
}

/** The first cell of each table row of docs/configuration.md, which may name several variables. */
function configurationPageVariables(): string[] {
  const page = read('docs/configuration.md');
  const firstCells = page
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => line.split('|')[1] ?? '');
  return [
    ...new Set(firstCells.flatMap((cell) => [...cell.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((match) => match[1] ?? ''))),
  ].sort();
}

describe('the newcomer kit', () => {
  it('the configuration page has every variable config.ts reads, and no other', () => {
    expect(configurationPageVariables()).toEqual(configVariables());
  });

  it('says which Node to use and under which licence', () => {
    expect(read('.nvmrc').trim()).toMatch(/^\d+$/);
    expect(read('LICENSE')).toContain('MIT License');
    expect((JSON.parse(read('package.json')) as { license?: string }).license).toBe('MIT');
  });
});
