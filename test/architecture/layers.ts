/**
 * The layer list README's "Architecture" section states, as data. A folder of src/ may import
 * its own files and any folder in a layer BELOW its own; folders that share a layer do not import
 * each other. Built-in stages import only the library layers (STAGE_IMPORTS) and no other stage.
 */

export interface ImportEdge {
  from: string;
  to: string;
}

/** Top to bottom. */
export const LAYERS: readonly (readonly string[])[] = [
  ['src/cli', 'src/index.ts'], // entry points: argv → command, the library's public face
  ['src/sweep'], // many runs of one spec
  ['src/engine'], // plan, execute, record a run
  ['src/report'], // report.md and HTML reports of recorded runs
  ['src/compare'], // tables and statistics over recorded runs
  ['src/runs', 'src/plugins'], // run records; stage plugin discovery
  ['src/cache', 'src/spec'], // content-addressed store; YAML specs
  ['src/hash', 'src/graph'], // signatures, canonical JSON; the DAG
  ['src/predict', 'src/training', 'src/loading'], // inference with a saved model; the fine-tuning loop; reading data files into tables
  ['src/nn', 'src/text', 'src/artifacts', 'src/metrics', 'src/plots'], // model math, tokenizers, artifact files, metrics, SVG charts
  ['src/hub'], // the Hugging Face cache layout
  ['src/format', 'src/project'], // how numbers, durations and tables print; where a project's folders are
  ['src/sdk'], // the plugin API: types and defineStage; its errors are util's FndError kinds
  ['src/util'], // errors, fs helpers, rng; imports nothing of fnd
];

export const STAGE_IMPORTS: readonly string[] = ['sdk', 'util', 'format', 'artifacts', 'text', 'nn', 'training', 'metrics', 'hub', 'predict', 'plots', 'loading'].map((name) => `src/${name}`);

/** `src/engine/plan.ts` → `src/engine`; `src/index.ts` stays itself; `stages/train/schema.ts` → `stages/train`. */
export function unitOf(path: string): string {
  const parts = path.split('/');
  if (parts.length <= 2) return path;
  return `${parts[0]}/${parts[1]}`;
}

function layerOf(unit: string): number {
  return LAYERS.findIndex((layer) => layer.includes(unit));
}

/** One line per import that goes up or sideways, `from -> to (why)`. */
export function layerViolations(edges: readonly ImportEdge[]): string[] {
  const found: string[] = [];
  for (const { from, to } of edges) {
    const source = unitOf(from);
    const target = unitOf(to);
    if (source === target) continue;
    if (source.startsWith('stages/')) {
      if (!STAGE_IMPORTS.includes(target)) {
        found.push(`${from} -> ${to} (a stage may import only ${STAGE_IMPORTS.map((unit) => unit.slice('src/'.length)).join(', ')})`);
      }
      continue;
    }
    const sourceLayer = layerOf(source);
    const targetLayer = layerOf(target);
    if (sourceLayer < 0) found.push(`${from} -> ${to} (${source} is in no layer)`);
    else if (targetLayer < 0) found.push(`${from} -> ${to} (${target} is in no layer)`);
    else if (targetLayer <= sourceLayer) found.push(`${from} -> ${to} (${source} may not import ${target})`);
  }
  return found;
}

/** Every elementary cycle found by a depth-first search, each as the path that closes it (first node repeated). */
export function findCycles(edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) next.set(from, [...(next.get(from) ?? []), to]);
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const target of [...new Set(next.get(node) ?? [])].sort()) {
      const seen = state.get(target);
      if (seen === 'open') cycles.push([...stack.slice(stack.indexOf(target)), target]);
      else if (seen === undefined) visit(target);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...next.keys()].sort()) if (!state.has(node)) visit(node);
  return cycles;
}
