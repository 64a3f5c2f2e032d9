/**
 * What a sweep would do, without running anything: which variants a previous attempt already
 * completed, and for the others which stages run and which are restored, counting the stages an
 * earlier variant of this sweep will compute (tokenization, shared by every variant).
 */
import { planPipeline, type StagePlan } from '../engine/plan.js';
import { canonicalJson } from '../hash/canonical.js';
import type { RunRecord } from '../runs/record.js';
import type { ValidatedPipeline } from '../spec/validate.js';
import type { PreparedVariant } from './prepare.js';

export type StageAction = 'restore' | 'run' | 'shared';

export interface StageActionPlan {
  stageId: string;
  action: StageAction;
  /** For `run`: why (from planPipeline); for `shared`: which earlier variant computes it. */
  reason: string;
}

export interface VariantPlan {
  name: string;
  sets: string[];
  /** A completed run of this variant whose every stage signature still hits the cache. */
  completedRun?: string;
  stages: StageActionPlan[];
}

/**
 * A stage's identity as far as the spec decides it: plugin, params, device and (recursively) the
 * identities of its inputs. Two variants with equal keys compute the same signature, so the later
 * one restores what the earlier one computed.
 */
function stageKeys(pipeline: ValidatedPipeline): Map<string, string> {
  const keys = new Map<string, string>();
  for (const stageId of pipeline.order) {
    const stage = pipeline.stages.find((s) => s.id === stageId)!;
    const inputs = Object.fromEntries(Object.entries(stage.inputs).map(([port, ref]) => [port, [keys.get(ref.stage), ref.port]]));
    keys.set(stageId, canonicalJson({ uses: stage.uses, params: stage.params, device: stage.device ?? null, cache: stage.cache, inputs }));
  }
  return keys;
}

/** The completed run (newest first among `candidates`) whose stages match `plans` signature for signature. */
export function matchingRun(plans: readonly StagePlan[], candidates: readonly RunRecord[]): RunRecord | undefined {
  if (plans.some((plan) => plan.status !== 'cached')) return undefined;
  return candidates.find(
    (record) =>
      record.status === 'completed' &&
      Object.keys(record.stages).length === plans.length &&
      plans.every((plan) => record.stages[plan.stageId]?.signature === plan.signature),
  );
}

/** `candidates(name)`: the completed runs recorded for that variant of this sweep, newest first. */
export async function planSweep(variants: readonly PreparedVariant[], candidates: (variant: string) => RunRecord[]): Promise<VariantPlan[]> {
  const computedBy = new Map<string, string>();
  const out: VariantPlan[] = [];
  for (const variant of variants) {
    const plans = await planPipeline(variant.prepared);
    const completed = matchingRun(plans, candidates(variant.name));
    if (completed) {
      out.push({ name: variant.name, sets: variant.sets, completedRun: completed.id, stages: plans.map((p) => ({ stageId: p.stageId, action: 'restore', reason: 'cached' })) });
      continue;
    }
    const keys = stageKeys(variant.prepared.pipeline);
    const stages = plans.map((plan): StageActionPlan => {
      if (plan.status === 'cached') return { stageId: plan.stageId, action: 'restore', reason: 'cached' };
      const key = keys.get(plan.stageId)!;
      const earlier = variant.prepared.pipeline.stages.find((s) => s.id === plan.stageId)?.cache ? computedBy.get(key) : undefined;
      if (earlier !== undefined) return { stageId: plan.stageId, action: 'shared', reason: `computed by variant ${earlier}` };
      computedBy.set(key, variant.name);
      return { stageId: plan.stageId, action: 'run', reason: plan.reason };
    });
    out.push({ name: variant.name, sets: variant.sets, stages });
  }
  return out;
}
