// Writes docs/configuration.md and .env.example from the table of variables (src/config/variables.ts).
// Run through `npm run docs`, which builds dist/ first (this file imports the built modules).
import { writeFileSync } from 'node:fs';
import { renderGeneratedFiles } from '../dist/config/render.js';
import { VARIABLES } from '../dist/config/variables.js';

for (const { path, content } of renderGeneratedFiles(VARIABLES)) {
  writeFileSync(new URL(`../${path}`, import.meta.url), content);
  console.log(`${path}: written`);
}
