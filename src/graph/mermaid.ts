/**
 * A workflow graph as a Mermaid flowchart (https://mermaid.js.org/syntax/flowchart.html). Pure:
 * graph in, text out. Nodes get generated ids (`n0`, `n1`, ...), labels are quoted with every
 * character outside a safe set written as an entity code, and each node gets the class of its
 * result state, with classDef lines for the states used. Why: docs/architecture.md.
 */
import { drawnNodes, type NodeState, type PictureGraph } from './picture.js';

const STYLES: Readonly<Record<NodeState, string>> = {
  SUCCEEDED: 'fill:#d3f9d8,stroke:#2b8a3e,color:#1b1b1b',
  FAILED: 'fill:#ffe3e3,stroke:#c92a2a,color:#1b1b1b',
  RUNNING: 'fill:#d0ebff,stroke:#1864ab,color:#1b1b1b',
  STOPPED: 'fill:#fff3bf,stroke:#e67700,color:#1b1b1b',
  PENDING: 'fill:#f1f3f5,stroke:#868e96,color:#1b1b1b',
  UNKNOWN: 'fill:#f3d9fa,stroke:#862e9c,color:#1b1b1b',
  NO_RESULT: 'fill:#ffffff,stroke:#adb5bd,color:#495057',
  MISSING: 'fill:#ffffff,stroke:#c92a2a,stroke-dasharray:4 4,color:#c92a2a',
};

/** Characters that need no escaping inside a quoted Mermaid label. */
const SAFE = /[A-Za-z0-9 _.,:()/+=*!?@-]/;

/** Every other code point as Mermaid's `#<decimal>;` entity code. */
export function escapeMermaidLabel(text: string): string {
  let out = '';
  for (const char of text) out += SAFE.test(char) ? char : `#${char.codePointAt(0) ?? 0};`;
  return out;
}

export function toMermaid(graph: PictureGraph): string {
  const nodes = drawnNodes(graph);
  const idOf = new Map(nodes.map((node, index) => [node.id, `n${index}`]));
  const lines = ['flowchart LR'];
  for (const node of nodes) {
    // `<br/>` is Mermaid's line break: added after escaping, so it stays markup. The provider's
    // id goes under the label when the label does not already show it.
    const detail =
      node.node === null
        ? escapeMermaidLabel(' (missing)')
        : node.label === node.id
          ? ''
          : `<br/>${escapeMermaidLabel(node.id)}`;
    lines.push(`    ${idOf.get(node.id)}["${escapeMermaidLabel(node.label)}${detail}"]`);
  }
  for (const edge of graph.edges) lines.push(`    ${idOf.get(edge.source)} --> ${idOf.get(edge.target)}`);
  const byState = new Map<NodeState, string[]>();
  for (const node of nodes) byState.set(node.state, [...(byState.get(node.state) ?? []), idOf.get(node.id) ?? '']);
  for (const [state, ids] of byState) {
    // Class names are the state in lower case: `no_result`, `failed`, ...
    lines.push(`    classDef ${state.toLowerCase()} ${STYLES[state]}`);
    lines.push(`    class ${ids.join(',')} ${state.toLowerCase()}`);
  }
  return `${lines.join('\n')}\n`;
}
