/** `npm run docs`: writes the files rendered from the table of variables (render.ts). */
import { writeFileSync } from 'node:fs';
import { renderGeneratedFiles } from './render.js';
import { VARIABLES } from './variables.js';

const root = new URL('../../', import.meta.url);
for (const { path, content } of renderGeneratedFiles(VARIABLES)) {
  writeFileSync(new URL(path, root), content);
  process.stdout.write(`wrote ${path}\n`);
}
