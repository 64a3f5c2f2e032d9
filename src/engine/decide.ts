/**
 * The one place that decides what happens to a stage (the shape of DVC's plan_repro + repro_fn):
 * its signature with details, the cache lookup, and every reason it would run. `fnd status`
 * is a dry loop over decideStage; `fnd run` decides, takes the signature's lock, confirms the
 * decision against the cache under the lock (confirmDecision), then runs or restores and commits.
 * Both judge with judgeStage, so they cannot disagree.
 */
import type { CacheEntry } from '../cache/meta.js';
import type { LastRun } from '../cache/history.js';
import type { CacheStore, LookupResult } from '../cache/store.js';
import { sha256 } from '../hash/canonical.js';
import { listDifferences } from '../hash/explain.js';
import type { SignatureDetails } from '../hash/signature.js';
import type { Artifact, Device } from '../sdk/index.js';
import type { ValidatedStage } from '../spec/validate.js';
import type { PreparedPipeline } from './prepare.js';
import type { PluginCode } from './stage-signature.js';
import { stageSignature } from './stage-signature.js';

/**
 * hit / miss / corrupt / removed (a miss where this exact signature was recorded last time);
 * `pending`: an input comes from a stage that runs first, so the signature is not known yet;
 * `uncached`: the stage has `cache: false`.
 */
export type LookupStatus = 'hit' | 'miss' | 'corrupt' | 'removed' | 'pending' | 'uncached';

/** What is known about the stage that produces an input. */
export interface Upstream {
  /** Its result, once it has one (restored or run). */
  entry?: CacheEntry;
  /** It runs in this invocation (will run, for status; ran, for run). */
  runs: boolean;
}

export interface DecideRequest {
  stage: ValidatedStage;
  prepared: PreparedPipeline;
  /** Stage id → its producer state, for every stage this one reads from. */
  upstream: ReadonlyMap<string, Upstream>;
  /** Hashes of plugin source folders, computed once per invocation. */
  codeHashes: Map<string, Promise<PluginCode>>;
  /** A run's id: a `cache: false` stage gets a signature unique to the run. */
  runId?: string;
}

/** The stage signed: everything the judgement needs except the lookup. */
export interface SignedStage {
  stage: ValidatedStage;
  device: Device;
  /** The cache key: the signature, or for `cache: false` a key unique to the run. */
  signature: string;
  details: SignatureDetails;
  /** The artifacts wired to the inputs (only when every producer has its result). */
  inputs?: Record<string, Artifact>;
  previous?: LastRun;
  /** Upstream stages that run in this invocation and feed this one. */
  upstreamRuns: string[];
  /** Some input's producer has no result yet (status only): the signature is a guess. */
  pending: boolean;
  /** Param paths the --set overrides changed in this stage, with the overrides as typed. */
  overridden: { paths: string[]; sets: string[] };
}

export interface StageDecision {
  stageId: string;
  plugin: string;
  action: 'restore' | 'run';
  /** Undefined while an input is pending. */
  signature?: string;
  details: SignatureDetails;
  lookup: { status: LookupStatus; reason?: string };
  /** Every reason it runs, the change the user just made (a --set) first; empty for a restore. */
  reasons: string[];
  /** The entry to restore (action `restore`). */
  entry?: CacheEntry;
  signed: SignedStage;
}

/**
 * Whose "last run" a stage is compared with: the spec within its project. The project is part of
 * the key because a cache may be shared by projects whose specs have the same relative path.
 */
export function historyKey(prepared: PreparedPipeline): string {
  return `${prepared.paths.projectDir}:${prepared.specKey}`;
}

export function stageDevice(stage: ValidatedStage, prepared: PreparedPipeline): Device {
  return stage.device ?? prepared.registry.loadedPlugin(stage.uses).definition.device ?? 'cpu';
}

/** Signs a stage: its inputs from the upstream results (the last run's hashes for pending ones), its signature and details. */
export async function signStage(request: DecideRequest, cache: CacheStore): Promise<SignedStage> {
  const { stage, prepared } = request;
  const plugin = prepared.registry.loadedPlugin(stage.uses);
  const definition = plugin.definition;
  const previous = await cache.readLast(historyKey(prepared), stage.id);
  const artifacts: Record<string, Artifact> = {};
  const hashes: Record<string, Pick<Artifact, 'hash'>> = {};
  const upstreamRuns = new Set<string>();
  let pending = false;
  for (const [port, ref] of Object.entries(stage.inputs)) {
    const producer = request.upstream.get(ref.stage);
    if (producer?.runs) upstreamRuns.add(ref.stage);
    const entry = producer?.entry;
    if (!entry) {
      pending = true;
      // Unknown until the producer runs: compare everything else with last time.
      hashes[port] = { hash: previous?.details.inputs[port] ?? 'pending' };
      continue;
    }
    const outPort = ref.port!;
    artifacts[port] = {
      kind: definition.inputs[port]!.kind,
      path: entry.outputDir(outPort),
      hash: entry.outputHash(outPort),
      producer: { stageId: ref.stage, port: outPort },
    };
    hashes[port] = artifacts[port];
  }
  const device = stageDevice(stage, prepared);
  const identity = await stageSignature({
    plugin,
    params: stage.params,
    inputs: hashes,
    device,
    specDir: prepared.paths.specDir,
    codeHashes: request.codeHashes,
  });
  // `cache: false` stages run every time; their outputs still go through the store so that
  // downstream stages read them the same way, under a signature unique to this run.
  const signature = stage.cache || request.runId === undefined ? identity.value : sha256(`${identity.value}:${request.runId}`);
  return {
    stage,
    device,
    signature,
    details: identity.details,
    ...(pending ? {} : { inputs: artifacts }),
    ...(previous ? { previous } : {}),
    upstreamRuns: [...upstreamRuns].sort(),
    pending,
    overridden: overriddenPaths(stage, prepared),
  };
}

/** The param paths of this stage the --set overrides changed (against the spec as written). */
function overriddenPaths(stage: ValidatedStage, prepared: PreparedPipeline): SignedStage['overridden'] {
  const sets = prepared.sets ?? [];
  const plain = prepared.paramsWithoutSets?.get(stage.id);
  if (sets.length === 0 || !plain) return { paths: [], sets };
  const base: SignatureDetails = { plugin: '', version: '', code: '', params: plain, inputs: {}, environment: {} };
  const paths = listDifferences(base, { ...base, params: stage.params }).map((difference) => difference.key);
  return { paths, sets };
}

/**
 * The decision for a signed stage given what the cache holds (undefined: not looked up, because
 * the stage is pending or uncached). Pure: status and run both call it.
 */
export function judgeStage(signed: SignedStage, found: LookupResult | undefined): StageDecision {
  const { stage, details, previous } = signed;
  const base = { stageId: stage.id, plugin: stage.uses, details, signed };
  if (!stage.cache) {
    return { ...base, action: 'run', signature: signed.signature, lookup: { status: 'uncached' }, reasons: ['cache: false'] };
  }
  if (signed.pending || !found) {
    return { ...base, action: 'run', lookup: { status: 'pending' }, reasons: reasonsToRun(signed, undefined) };
  }
  if (found.status === 'hit') {
    return { ...base, action: 'restore', signature: signed.signature, lookup: { status: 'hit' }, reasons: [], entry: found.entry };
  }
  const lookup: StageDecision['lookup'] =
    found.status === 'corrupt'
      ? { status: 'corrupt', reason: found.reason }
      : previous?.signature === signed.signature
        ? { status: 'removed' }
        : { status: 'miss' };
  return { ...base, action: 'run', signature: signed.signature, lookup, reasons: reasonsToRun(signed, lookup) };
}

/**
 * Why it runs, in this order: the changes the user just made with --set; the other differences
 * from the last run (code, params, environment, inputs whose producer was restored); the
 * upstream stages that run first; then what happened to the cache entry.
 */
function reasonsToRun(signed: SignedStage, lookup: StageDecision['lookup'] | undefined): string[] {
  const { previous, details, overridden } = signed;
  const reasons: string[] = [];
  if (!previous) reasons.push('never run before');
  else {
    const differences = listDifferences(previous.details, details);
    const byUser = (key: string) => overridden.paths.some((path) => key === path || key.startsWith(`${path}.`) || key.startsWith(`${path}[`));
    const setNote = overridden.sets.map((set) => `--set ${set}`).join(', ');
    for (const d of differences) if (d.part === 'param' && byUser(d.key)) reasons.push(`${d.text} (${setNote})`);
    for (const d of differences) {
      if (d.part === 'param' && byUser(d.key)) continue;
      // An input whose producer runs first is explained by that stage, below.
      if (d.part === 'input' && signed.upstreamRuns.some((id) => signed.stage.inputs[d.key]?.stage === id)) continue;
      reasons.push(d.text);
    }
  }
  for (const id of signed.upstreamRuns) reasons.push(`upstream stage ${id} runs first`);
  if (lookup?.status === 'corrupt') reasons.push(`cache entry is corrupt (${lookup.reason})`);
  if (lookup?.status === 'removed') reasons.push('cache entry was removed (cache gc?)');
  if (reasons.length === 0) reasons.push('no cache entry for this signature');
  return reasons;
}

/** Decides without changing anything: a corrupt entry is reported, not moved aside. */
export async function decideStage(request: DecideRequest, cache: CacheStore): Promise<StageDecision> {
  const signed = await signStage(request, cache);
  if (!signed.stage.cache || signed.pending) return judgeStage(signed, undefined);
  return judgeStage(signed, await cache.lookup(signed.signature, { dryRun: true }));
}

/**
 * Under the signature's lock: looks again (another process may have committed meanwhile, or
 * the entry may be corrupt: then it is moved aside) and judges again. Cheap: the stat cache
 * spares re-hashing what the first look already hashed.
 */
export async function confirmDecision(decision: StageDecision, cache: CacheStore): Promise<StageDecision> {
  const { signed } = decision;
  if (!signed.stage.cache || signed.pending) return decision;
  return judgeStage(signed, await cache.lookup(signed.signature));
}
