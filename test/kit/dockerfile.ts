/**
 * Reads the Dockerfile into stages of instructions, so a test can replay exactly its steps
 * without Docker. Only the instructions this project's Dockerfile uses are understood; any
 * other makes the parser throw, so the file and its replay cannot drift apart silently.
 */

export type Instruction =
  | { readonly kind: 'WORKDIR'; readonly path: string }
  | {
      readonly kind: 'COPY';
      readonly from: string | null;
      readonly sources: readonly string[];
      readonly destination: string;
    }
  /** `cacheMounts`: targets of `--mount=type=cache` (where a build keeps a cache out of the image). */
  | { readonly kind: 'RUN'; readonly command: string; readonly cacheMounts: readonly string[] }
  | { readonly kind: 'ENV'; readonly name: string; readonly value: string }
  | { readonly kind: 'USER'; readonly user: string }
  | { readonly kind: 'EXPOSE'; readonly port: number }
  | { readonly kind: 'HEALTHCHECK'; readonly command: readonly string[] }
  | { readonly kind: 'CMD'; readonly command: readonly string[] };

export interface Stage {
  readonly name: string;
  readonly image: string;
  readonly instructions: Instruction[];
}

/** Lines joined at trailing backslashes, comments and blanks dropped. */
function logicalLines(text: string): string[] {
  const lines: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (pending === '' && (line.trim() === '' || line.trimStart().startsWith('#'))) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    lines.push((pending + line).trim());
    pending = '';
  }
  return lines;
}

function execForm(text: string, where: string): string[] {
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed) || !parsed.every((part) => typeof part === 'string'))
    throw new Error(`${where}: expected the exec form ["cmd", "arg", ...]`);
  return parsed;
}

export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  for (const line of logicalLines(text)) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const args = line.slice(keyword.length).trim();
    if (keyword === 'FROM') {
      const match = /^(\S+)\s+AS\s+(\S+)$/i.exec(args);
      if (!match?.[1] || !match[2]) throw new Error(`FROM needs a stage name: ${line}`);
      stages.push({ image: match[1], name: match[2], instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`${keyword} before FROM`);
    switch (keyword) {
      case 'WORKDIR':
        stage.instructions.push({ kind: 'WORKDIR', path: args });
        break;
      case 'COPY': {
        const from = rest[0]?.startsWith('--from=') ? rest[0].slice('--from='.length) : null;
        const paths = from === null ? rest : rest.slice(1);
        if (paths.some((path) => path.startsWith('--')) || paths.length < 2)
          throw new Error(`unsupported COPY: ${line}`);
        stage.instructions.push({ kind: 'COPY', from, sources: paths.slice(0, -1), destination: paths.at(-1) ?? '' });
        break;
      }
      case 'RUN': {
        const cacheMounts: string[] = [];
        let command = args;
        for (
          let match = /^--mount=type=cache,target=(\S+)\s+/.exec(command);
          match;
          match = /^--mount=type=cache,target=(\S+)\s+/.exec(command)
        ) {
          cacheMounts.push(match[1] ?? '');
          command = command.slice(match[0].length);
        }
        if (command.startsWith('--')) throw new Error(`unsupported RUN option: ${line}`);
        stage.instructions.push({ kind: 'RUN', command, cacheMounts });
        break;
      }
      case 'ENV': {
        const match = /^([A-Z_][A-Z0-9_]*)=(\S+)$/.exec(args);
        if (!match?.[1] || match[2] === undefined) throw new Error(`unsupported ENV (one NAME=value): ${line}`);
        stage.instructions.push({ kind: 'ENV', name: match[1], value: match[2] });
        break;
      }
      case 'USER':
        stage.instructions.push({ kind: 'USER', user: args });
        break;
      case 'EXPOSE':
        stage.instructions.push({ kind: 'EXPOSE', port: Number(args) });
        break;
      case 'HEALTHCHECK': {
        const index = args.indexOf('CMD ');
        if (index < 0) throw new Error(`HEALTHCHECK without CMD: ${line}`);
        stage.instructions.push({ kind: 'HEALTHCHECK', command: execForm(args.slice(index + 4), 'HEALTHCHECK') });
        break;
      }
      case 'CMD':
        stage.instructions.push({ kind: 'CMD', command: execForm(args, 'CMD') });
        break;
      default:
        throw new Error(`the Dockerfile replay does not know ${keyword}: teach test/kit/dockerfile.ts, then the test`);
    }
  }
  return stages;
}
