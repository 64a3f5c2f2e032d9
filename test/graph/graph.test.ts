import { describe, expect, it } from 'vitest';
import { buildGraph, downstreamOf, findCycle, upstreamOf, type GraphStage } from '../../src/graph/index.js';
import { FndError } from '../../src/util/errors.js';

/** `stage('c', 'a', 'b')`: stage c reads from a and b. */
const stage = (id: string, ...from: string[]): GraphStage => ({
  id,
  inputs: Object.fromEntries(from.map((source, i) => [`in${i}`, { stage: source }])),
});

// load -> clean -> tokenize -> train -> evaluate, tokenize -> evaluate, and a separate report branch.
const pipeline = [
  stage('load'),
  stage('clean', 'load'),
  stage('stats', 'load'),
  stage('tokenize', 'clean'),
  stage('train', 'tokenize'),
  stage('evaluate', 'train', 'tokenize'),
];

describe('buildGraph', () => {
  it('orders topologically, ties broken by file order', () => {
    const graph = buildGraph(pipeline);
    expect(graph.order).toEqual(['load', 'clean', 'stats', 'tokenize', 'train', 'evaluate']);
    // A stage listed before its producer still comes after it.
    expect(buildGraph([stage('b', 'a'), stage('c'), stage('a')]).order).toEqual(['c', 'a', 'b']);
  });

  it('lists dependencies and dependents once each, in file order', () => {
    const graph = buildGraph([...pipeline.slice(0, 5), { id: 'evaluate', inputs: { model: { stage: 'train' }, tokens: { stage: 'tokenize', port: 'tokens' }, again: { stage: 'train', port: 'model' } } }]);
    expect(graph.dependencies.get('evaluate')).toEqual(['tokenize', 'train']);
    expect(graph.dependents.get('load')).toEqual(['clean', 'stats']);
    expect(graph.dependents.get('tokenize')).toEqual(['train', 'evaluate']);
    expect(graph.dependents.get('evaluate')).toEqual([]);
  });

  it('throws a cycle as an FndError', () => {
    let thrown: unknown;
    try {
      buildGraph([stage('a', 'b'), stage('b', 'a')]);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(FndError);
    expect((thrown as FndError).message).toBe('cycle: a -> b -> a');
    expect((thrown as FndError).exitCode).toBe(2);
  });
});

describe('findCycle', () => {
  it('returns undefined for a DAG', () => {
    expect(findCycle(pipeline)).toBeUndefined();
  });

  it('names the stages along the data flow, starting at the earliest in the file', () => {
    expect(findCycle([stage('x'), stage('c', 'b'), stage('a', 'c', 'x'), stage('b', 'a')])).toEqual(['c', 'a', 'b', 'c']);
    expect(findCycle([stage('self', 'self')])).toEqual(['self', 'self']);
  });

  it('ignores references to stages that do not exist', () => {
    expect(findCycle([stage('a', 'ghost')])).toBeUndefined();
    expect(buildGraph([stage('a', 'ghost')]).dependencies.get('a')).toEqual([]);
  });
});

describe('downstreamOf / upstreamOf', () => {
  const graph = buildGraph(pipeline);
  it('downstream includes the stages themselves, in topological order', () => {
    expect(downstreamOf(graph, ['tokenize'])).toEqual(['tokenize', 'train', 'evaluate']);
    expect(downstreamOf(graph, ['stats', 'train'])).toEqual(['stats', 'train', 'evaluate']);
    expect(downstreamOf(graph, [])).toEqual([]);
  });

  it('upstream is everything a stage needs', () => {
    expect(upstreamOf(graph, ['evaluate'])).toEqual(['load', 'clean', 'tokenize', 'train', 'evaluate']);
  });

  it('an unknown stage id is an error with a suggestion', () => {
    expect(() => downstreamOf(graph, ['trian'])).toThrow('unknown stage "trian"; did you mean "train"?');
  });
});
