import { CacheStore } from '../cache/store.js';
import { decideStage, type LookupStatus, type Upstream } from './decide.js';
import type { PreparedPipeline } from './prepare.js';
import type { PluginCode } from './stage-signature.js';

export interface StagePlan {
  stageId: string;
  plugin: string;
  status: 'cached' | 'will run';
  /** For `will run`: the first of `reasons`, e.g. `param learning_rate changed: 5e-05 → 3e-05`; "cached" otherwise. */
  reason: string;
  /** Every reason it will run, the change just made with --set first (decideStage). */
  reasons: string[];
  lookup: LookupStatus;
  /** Undefined while an upstream stage must run first (the input hashes are not known yet). */
  signature?: string;
}

/**
 * What `fnd run` would do, without running or changing anything: decideStage for each stage in
 * order, the stages that will run counting as "runs first" for the ones that read from them.
 */
export async function planPipeline(prepared: PreparedPipeline): Promise<StagePlan[]> {
  const cache = new CacheStore(prepared.paths.cacheDir);
  const upstream = new Map<string, Upstream>();
  const codeHashes = new Map<string, Promise<PluginCode>>();
  const plans: StagePlan[] = [];
  for (const stage of prepared.pipeline.stages) {
    const decision = await decideStage({ stage, prepared, upstream, codeHashes }, cache);
    const runs = decision.action === 'run';
    upstream.set(stage.id, runs ? { runs: true } : { runs: false, entry: decision.entry });
    plans.push({
      stageId: stage.id,
      plugin: stage.uses,
      status: runs ? 'will run' : 'cached',
      reason: runs ? decision.reasons[0]! : 'cached',
      reasons: decision.reasons,
      lookup: decision.lookup.status,
      ...(decision.signature !== undefined && stage.cache ? { signature: decision.signature } : {}),
    });
  }
  return plans;
}
