/**
 * The credentials files both vendors use are INI: `[section]` headers and `key = value`
 * lines, `#` or `;` comments. Pure; unknown lines are skipped, as the SDKs do.
 */
export type IniSections = ReadonlyMap<string, ReadonlyMap<string, string>>;

export function parseIni(text: string): IniSections {
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | null = null;
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[\s*([^\]]+?)\s*\]$/.exec(line);
    if (header) {
      current = sections.get(header[1]!) ?? new Map<string, string>();
      sections.set(header[1]!, current);
      continue;
    }
    const at = line.indexOf('=');
    if (current === null || at <= 0) continue;
    current.set(line.slice(0, at).trim().toLowerCase(), stripQuotes(line.slice(at + 1).trim()));
  }
  return sections;
}

function stripQuotes(value: string): string {
  return value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.at(-1) === value[0]
    ? value.slice(1, -1)
    : value;
}
