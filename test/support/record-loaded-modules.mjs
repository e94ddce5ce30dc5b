// `node --import` this file to append the URL of every ES module the process loads to $LOADED_MODULES_FILE.
import { register } from 'node:module';

register('./loaded-modules-hooks.mjs', import.meta.url);
