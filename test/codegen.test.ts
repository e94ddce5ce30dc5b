import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * Codegen runs in a child process: its plugins load ES modules in ways jest's VM
 * cannot, and running it there also proves `npm run codegen` works.
 */
const generateInMemory = `
  import { generate, loadCodegenConfig } from '@graphql-codegen/cli';
  const { config } = await loadCodegenConfig({ configFilePath: 'codegen.yml' });
  const outputs = await generate({ ...config, cwd: process.cwd(), silent: true }, false);
  process.stdout.write(JSON.stringify(outputs.map(({ filename, content }) => ({ filename, content }))));
`;

describe('generated resolver types', () => {
  it('match what codegen.yml produces from the current schema (run `npm run codegen` when this fails)', () => {
    const stdout = execFileSync(process.execPath, ['--input-type=module', '-e', generateInMemory], {
      encoding: 'utf8',
    });
    const outputs = JSON.parse(stdout) as Array<{ filename: string; content: string }>;
    expect(outputs.length).toBeGreaterThan(0);
    for (const output of outputs) {
      expect(readFileSync(output.filename, 'utf8')).toBe(output.content);
    }
  });
});
