/**
 * Tokens longer than a model's position embeddings cannot go through it. Train checks this on
 * the real artifacts; this is the same rule on what the spec says (tokenize's `max_length`, the
 * model's `max_position_embeddings`), so `fnd validate` finds it before anything runs.
 */
import type { InputFacts, StaticFacts } from '../sdk/index.js';

/** The facts a model output carries: its positions, and where that number was read. */
export function modelFacts(maxPositionEmbeddings: number, from: string): StaticFacts {
  return { max_position_embeddings: maxPositionEmbeddings, positions_from: from };
}

/** The problem (at most one) when tokens inputs are longer than the model's positions. */
export function tokensFitModel(model: InputFacts | undefined, tokens: (InputFacts | undefined)[]): string[] {
  const positions = model?.facts.max_position_embeddings;
  if (typeof positions !== 'number') return [];
  const tooLong = tokens.filter((input): input is InputFacts => typeof input?.facts.max_length === 'number' && input.facts.max_length > positions);
  if (tooLong.length === 0) return [];
  const what = tooLong.map((input) => `"${input.from}" (max_length ${String(input.facts.max_length)})`).join(' and ');
  return [
    `tokens of ${what} are longer than the ${positions} positions of the model of "${model!.from}" ` +
      `(max_position_embeddings, from ${String(model!.facts.positions_from)}); tokenize with max_length <= ${positions}`,
  ];
}
