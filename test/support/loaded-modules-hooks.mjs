// Module hooks (they run on Node's loader thread): record each URL before loading it.
import { appendFileSync } from 'node:fs';

const file = process.env.LOADED_MODULES_FILE;

export async function load(url, context, nextLoad) {
  if (file) appendFileSync(file, `${url}\n`);
  return nextLoad(url, context);
}
