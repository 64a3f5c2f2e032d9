export { buildGraph, downstreamOf, findCycle, upstreamOf, type GraphStage, type PipelineGraph } from './graph.js';
