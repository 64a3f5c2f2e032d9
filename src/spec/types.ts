/** The shapes of a pipeline spec after loading, overrides and templating. */
import type { SourceLocation } from '../util/errors.js';

export type SpecPath = (string | number)[];

/** Where a stage input comes from: a stage and, when written as `stage.port`, its output port. */
export interface InputRef {
  stage: string;
  port?: string;
}

export interface StageSpec {
  id: string;
  /** Plugin name. */
  uses: string;
  inputs: Record<string, InputRef>;
  with: Record<string, unknown>;
  device?: 'cpu' | 'gpu';
  /** False when the spec says `cache: false`; default true. */
  cache: boolean;
}

export interface PipelineSpec {
  name: string;
  description?: string;
  /** Default 42. */
  seed: number;
  vars: Record<string, unknown>;
  /** In file order; a foreach stage appears as its parts (`tokenize.train`, `tokenize.test`). */
  stages: StageSpec[];
  /** Foreach stage id -> the ids of its parts, in item order. */
  groups?: Record<string, string[]>;
  /** Override path (same syntax as --set) -> values to sweep. */
  matrix?: Record<string, unknown[]>;
}

/** One override applied on top of the file: where it came from and the path it replaced. */
export interface AppliedOverride {
  /** As the user wrote it, e.g. `train.with.seed=7`. */
  text: string;
  /** Normalised path, e.g. ['stages', 'train', 'with', 'seed']. */
  path: SpecPath;
  value: unknown;
  source: 'set' | 'matrix';
}

export interface LoadedSpec {
  /** Absolute path of the spec file. */
  file: string;
  /** Raw text of the file. */
  source: string;
  /** Absolute paths of every file the spec was read from: the spec, then what it extends and includes. */
  files: string[];
  /** The document as written (YAML parsed to plain JS, composed with what it extends and includes), before overrides and templating. */
  given: unknown;
  /** The document in its YAML shape after overrides, templating and foreach expansion (what `spec.resolved.yaml` holds). */
  resolvedDocument: Record<string, unknown>;
  resolved: PipelineSpec;
  overrides: AppliedOverride[];
  /**
   * Where a path of the document is written: the key of a map entry (or the value with
   * `{ part: 'value' }`), falling back to the nearest existing ancestor; a path introduced or
   * replaced by an override points at that override (`--set stages.x...`).
   */
  locate(path: SpecPath, options?: { part?: 'key' | 'value' }): SourceLocation;
  /** The path as the author wrote it: a foreach part's paths (`stages.tokenize.train.with`) are its stage's (`stages.tokenize.with`). */
  writtenPath(path: SpecPath): SpecPath;
}
