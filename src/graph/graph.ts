/**
 * The stage DAG: pure functions over `{ id, inputs }`, no I/O. File order is the tie-breaker
 * everywhere, so the same spec always gives the same order.
 */
import { FndError } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';

export interface GraphStage {
  id: string;
  inputs: Record<string, { stage: string; port?: string }>;
}

export interface PipelineGraph {
  /** Topological order; among stages ready at the same time, the earlier one in the file first. */
  order: string[];
  /** Stage id -> the stages it reads from (each once, in file order). */
  dependencies: Map<string, string[]>;
  /** Stage id -> the stages that read from it (each once, in file order). */
  dependents: Map<string, string[]>;
}

/** Edges between stages that exist; references to missing stages are validatePipeline's to report. */
function edges(stages: readonly GraphStage[]): { index: Map<string, number>; dependencies: Map<string, string[]>; dependents: Map<string, string[]> } {
  const index = new Map(stages.map((s, i) => [s.id, i]));
  const byFileOrder = (a: string, b: string) => index.get(a)! - index.get(b)!;
  const dependencies = new Map<string, string[]>();
  const dependents = new Map<string, string[]>(stages.map((s) => [s.id, []]));
  for (const stage of stages) {
    const from = [...new Set(Object.values(stage.inputs).map((ref) => ref.stage))].filter((id) => index.has(id)).sort(byFileOrder);
    dependencies.set(stage.id, from);
    for (const id of from) dependents.get(id)!.push(stage.id);
  }
  for (const list of dependents.values()) list.sort(byFileOrder);
  return { index, dependencies, dependents };
}

/**
 * A cycle as a closed walk along the data flow (`['a', 'b', 'a']`: a feeds b, b feeds a),
 * starting at its earliest stage in the file; undefined when the graph is acyclic.
 */
export function findCycle(stages: readonly GraphStage[]): string[] | undefined {
  const { index, dependents } = edges(stages);
  const state = new Map<string, 'active' | 'done'>();
  const trail: string[] = [];
  const visit = (id: string): string[] | undefined => {
    state.set(id, 'active');
    trail.push(id);
    for (const next of dependents.get(id) ?? []) {
      if (state.get(next) === 'active') {
        const cycle = trail.slice(trail.indexOf(next));
        // Rotate so the cycle starts at its earliest stage: one spec, one message.
        const start = cycle.reduce((best, s, i) => (index.get(s)! < index.get(cycle[best]!)! ? i : best), 0);
        const rotated = [...cycle.slice(start), ...cycle.slice(0, start)];
        return [...rotated, rotated[0]!];
      }
      if (!state.has(next)) {
        const found = visit(next);
        if (found) return found;
      }
    }
    trail.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const stage of stages) {
    if (state.has(stage.id)) continue;
    const found = visit(stage.id);
    if (found) return found;
  }
  return undefined;
}

/** Builds the DAG. Throws FndError (exit 2) on a cycle; validatePipeline reports cycles with a location first. */
export function buildGraph(stages: readonly GraphStage[]): PipelineGraph {
  const cycle = findCycle(stages);
  if (cycle) throw new FndError(`cycle: ${cycle.join(' -> ')}`, { exitCode: 2 });
  const { dependencies, dependents } = edges(stages);
  const waiting = new Map(stages.map((s) => [s.id, dependencies.get(s.id)!.length]));
  const order: string[] = [];
  const done = new Set<string>();
  // Quadratic in the number of stages, which is tens at most; it keeps the tie rule obvious.
  while (order.length < stages.length) {
    const next = stages.find((s) => !done.has(s.id) && waiting.get(s.id) === 0)!;
    done.add(next.id);
    order.push(next.id);
    for (const dependent of dependents.get(next.id)!) waiting.set(dependent, waiting.get(dependent)! - 1);
  }
  return { order, dependencies, dependents };
}

/** `ids` and every stage that depends on them, directly or not, in topological order. */
export function downstreamOf(graph: PipelineGraph, ids: Iterable<string>): string[] {
  return closure(graph, ids, graph.dependents);
}

/** `ids` and every stage they depend on, directly or not, in topological order. */
export function upstreamOf(graph: PipelineGraph, ids: Iterable<string>): string[] {
  return closure(graph, ids, graph.dependencies);
}

function closure(graph: PipelineGraph, ids: Iterable<string>, next: Map<string, string[]>): string[] {
  const reached = new Set<string>();
  const pending = [...ids];
  for (const id of pending) {
    if (!graph.order.includes(id)) throw new FndError(`unknown stage "${id}"${didYouMean(id, graph.order)}`, { exitCode: 2 });
  }
  while (pending.length > 0) {
    const id = pending.pop()!;
    if (reached.has(id)) continue;
    reached.add(id);
    pending.push(...(next.get(id) ?? []));
  }
  return graph.order.filter((id) => reached.has(id));
}
