import { CacheStore } from '../cache/store.js';
import type { CacheEntry } from '../cache/meta.js';
import { explainDifference } from '../hash/signature.js';
import type { Artifact } from '../sdk/index.js';
import { stageDevice } from './execute-stage.js';
import type { PreparedPipeline } from './prepare.js';
import { stageSignature } from './stage-signature.js';

export interface StagePlan {
  stageId: string;
  plugin: string;
  status: 'cached' | 'will run';
  /** For `will run`: the first reason (cheapest check first), e.g. `param learning_rate changed: 5e-05 → 3e-05`. */
  reason: string;
  signature?: string;
}

/**
 * What `fnd run` would do, without running anything: walks the stages in order, restoring
 * signatures from the cache where every input is known, and otherwise explaining what changed.
 */
export async function planPipeline(prepared: PreparedPipeline): Promise<StagePlan[]> {
  const cache = new CacheStore(prepared.paths.cacheDir);
  const cached = new Map<string, CacheEntry>();
  const willRun = new Set<string>();
  const codeHashes = new Map<string, Promise<string>>();
  const plans: StagePlan[] = [];
  for (const stage of prepared.pipeline.stages) {
    const plugin = prepared.registry.loadedPlugin(stage.uses);
    const previous = await cache.readLast(prepared.specKey, stage.id);
    const changedUpstream = Object.values(stage.inputs).map((ref) => ref.stage).filter((id) => willRun.has(id));
    const inputs: Record<string, Pick<Artifact, 'hash'>> = {};
    for (const [port, ref] of Object.entries(stage.inputs)) {
      const entry = cached.get(ref.stage);
      // An input whose producer will run has no hash yet; compare everything else with last time.
      inputs[port] = { hash: entry ? entry.outputHash(ref.port!) : (previous?.details.inputs[port] ?? 'unknown') };
    }
    const identity = await stageSignature({
      plugin,
      params: stage.params,
      inputs,
      device: stageDevice(stage, prepared),
      specDir: prepared.paths.specDir,
      codeHashes,
    });
    let plan: StagePlan;
    if (!stage.cache) {
      plan = { stageId: stage.id, plugin: stage.uses, status: 'will run', reason: 'cache: false' };
    } else if (changedUpstream.length > 0) {
      const own = explainDifference(previous?.details, identity.details);
      // Own params/code unchanged: the reason is upstream (its new output hash is not known yet).
      const reason = own === 'unchanged' || own.startsWith('input ') ? `upstream stage ${changedUpstream.join(', ')} will run` : own;
      plan = { stageId: stage.id, plugin: stage.uses, status: 'will run', reason };
    } else {
      const found = await cache.lookup(identity.value);
      if (found.status === 'hit') {
        cached.set(stage.id, found.entry);
        plan = { stageId: stage.id, plugin: stage.uses, status: 'cached', reason: 'cached', signature: identity.value };
      } else {
        const reason =
          found.status === 'corrupt'
            ? `cache entry is corrupt (${found.reason})`
            : previous?.signature === identity.value
              ? 'cache entry was removed (cache gc?)'
              : explainDifference(previous?.details, identity.details);
        plan = { stageId: stage.id, plugin: stage.uses, status: 'will run', reason, signature: identity.value };
      }
    }
    if (plan.status === 'will run') willRun.add(stage.id);
    plans.push(plan);
  }
  return plans;
}
