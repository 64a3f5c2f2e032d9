/**
 * The stage-plugin SDK: the types a plugin author writes against, and `defineStage`.
 *
 * Built-in stages (stages/<name>/index.ts in this package) and a project's own stages use exactly
 * this API. Nothing here imports the engine; the engine imports this.
 */
import { FndError, type FndErrorOptions } from '../util/errors.js';

// fnd's typed errors: a stage may throw these (e.g. FndDataError for a malformed input) as well as StageUserError.
export {
  FndError, FndConfigError, FndDataError, FndModelError, FndTrainingError, FndBackendError, FndUsageError, FndSpecError,
  type FndErrorCode, type FndErrorOptions,
} from '../util/errors.js';

/** What flows along an edge of the pipeline. A stage's output port has one kind; an input port accepts one. */
export type ArtifactKind = 'table' | 'tokens' | 'model' | 'metrics' | 'report' | 'file';

export interface PortSpec {
  kind: ArtifactKind;
  description?: string;
  /** An optional input may be left unwired. */
  optional?: boolean;
}

/** A JSON Schema (draft-07 subset as ajv understands it). */
export type JsonSchema = Record<string, unknown>;

/**
 * An artifact handed to a stage as an input: a directory in the cache holding the producing
 * stage's files for that port. Read-only: a stage must never write into its inputs.
 */
export interface Artifact {
  kind: ArtifactKind;
  /** Directory holding the artifact's files. */
  path: string;
  /** Content hash of everything under `path` (sha256, hex). */
  hash: string;
  /** Which stage and port produced it. */
  producer: { stageId: string; port: string };
}

export interface StageLogger {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
}

export interface ProgressUpdate {
  /** Units done so far (steps, rows, ...). */
  current: number;
  total?: number;
  /** Unit name shown to the user, e.g. "rows", "steps". */
  unit?: string;
  /** Free text appended to the progress line, e.g. "loss 0.231 lr 4.9e-5". */
  message?: string;
}

import type { Rng } from '../util/rng.js';
export type { Rng };

export type Device = 'cpu' | 'gpu';

export interface StageContext {
  /** The stage's id in the spec, e.g. "tokenize-512". */
  stageId: string;
  /** The plugin's name, e.g. "tokenize". */
  plugin: string;
  log: StageLogger;
  progress(update: ProgressUpdate): void;
  /** Seeded from the stage's `seed` param when it has one, else from the spec's seed. */
  rng: Rng;
  /** The device the stage actually runs on (a `gpu` stage falls back to `cpu` when no GPU backend is present). */
  device: Device;
  /**
   * Returns an empty directory to write an output port's files into. The engine moves it into
   * the cache atomically after `run` resolves; a stage that throws leaves nothing behind.
   */
  outputDir(port: string): string;
  /**
   * Directory whose files are copied into the run folder (`runs/<id>/`) after the stage, and
   * again from the cache when the stage is restored: reports, plots, predictions-<split>.jsonl.
   */
  exportDir: string;
  /** A private temporary directory, removed after the stage. Kept across resumes when `persistentScratch` is used. */
  scratchDir: string;
  /**
   * A directory that survives an interrupted run of this stage with the same signature, for
   * checkpoints a stage resumes from (e.g. train's per-epoch checkpoints). Removed once the stage commits.
   */
  resumeDir: string;
  /** Aborted on Ctrl-C or when another stage fails; long loops should check it. */
  signal: AbortSignal;
  /** Resolves a path param against the directory of the spec file. */
  resolvePath(path: string): string;
  /** The directory of the project (where the spec lives, or its nearest package.json). */
  projectDir: string;
}

export type MetricValue = number | string | boolean | null | MetricValue[] | { [key: string]: MetricValue };

export interface StageResult {
  /** Metrics this stage emits; they go into the run's metrics.json under the stage id. */
  metrics?: Record<string, MetricValue>;
  /** One line shown after the stage's name when it finishes. */
  summary?: string;
}

export type InputArtifacts = Record<string, Artifact | undefined>;

export interface StageDefinition<P = Record<string, unknown>> {
  /** Unique plugin name, used as `uses:` in a spec. Lower-case, digits and dashes. */
  name: string;
  /** Bump when the stage's behaviour changes in a way its source hash would not show. Part of the signature. */
  version: string;
  description: string;
  /** JSON Schema of `with:`; defaults are applied before hashing. Must be an object schema. */
  params: JsonSchema;
  inputs: Record<string, PortSpec>;
  outputs: Record<string, PortSpec>;
  /** Where the stage prefers to run. A `gpu` stage runs in its own worker process. */
  device?: Device;
  /** Whether the stage computes with the tensor engine (its backend then becomes part of the signature). */
  tensors?: boolean;
  /** False when the same inputs can give different outputs; such a stage is still cached unless the spec says `cache: false`. */
  deterministic?: boolean;
  /**
   * Content the stage reads from outside the pipeline (data files, tokenizer files): returns
   * name → content hash, folded into the signature as inputs, so editing a CSV reruns load-csv.
   */
  fingerprint?(params: P, ctx: FingerprintContext): Promise<Record<string, string>>;
  /**
   * What can be known before anything runs: facts about the outputs (tokenize: `max_length`; a
   * model: `max_position_embeddings`), from the params and the facts of the inputs, and the
   * problems they show already (tokens longer than the model's positions). `fnd validate`,
   * `status` and `run` report the problems at the stage, exit 2. Must be cheap: read small files
   * at most, never download or compute.
   */
  inspect?(params: P, inputs: Record<string, InputFacts | undefined>, ctx: InspectContext): Promise<Inspection> | Inspection;
  run(ctx: StageContext, inputs: InputArtifacts, params: P): Promise<StageResult | void>;
}

/** Facts about one artifact known before it exists, e.g. `{ max_length: 512 }`. */
export type StaticFacts = Record<string, unknown>;

/** The facts of a wired input, with the stage (and port) that will produce it, e.g. `tokenize-512.train`. */
export interface InputFacts {
  from: string;
  facts: StaticFacts;
}

export interface InspectContext {
  resolvePath(path: string): string;
}

export interface Inspection {
  /** Output port -> its facts. */
  outputs?: Record<string, StaticFacts>;
  /** One sentence each, e.g. `tokens of "tokenize.train" are up to 512 long but ...`. */
  problems?: string[];
}

export interface FingerprintContext {
  resolvePath(path: string): string;
  /** sha256 (hex) of a file's bytes, streamed. */
  hashFile(path: string): Promise<string>;
}

/**
 * Identity function that exists for type inference (like Vite's `defineConfig`):
 * `export default defineStage<MyParams>({...})`.
 */
export function defineStage<P = Record<string, unknown>>(definition: StageDefinition<P>): StageDefinition<P> {
  return definition;
}

/**
 * An error a stage raises for something the user can fix: reported as one line, without a stack
 * trace. It is an FndError (code FND_ERROR unless given), so a stage may also throw fnd's typed
 * errors (FndDataError, FndConfigError, ...) directly. fnd's library code never throws this one.
 */
export class StageUserError extends FndError {
  override name = 'StageUserError';
  constructor(message: string, options: FndErrorOptions = {}) {
    super(message, options);
  }
}
