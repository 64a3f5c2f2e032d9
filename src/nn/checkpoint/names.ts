/**
 * Checkpoint tensor names → the model's Hugging Face names. Mirrors what transformers accepts:
 * old LayerNorm names (`gamma`/`beta`), and a bare BertModel's names without the `bert.` prefix.
 */

const BASE_MODEL_PARTS = ['embeddings.', 'encoder.', 'pooler.'];

/** Known buffers that are not parameters; transformers skips them without a warning. */
const IGNORED = new Set(['bert.embeddings.position_ids']);

export function canonicalName(name: string): string {
  let n = name;
  if (n.endsWith('.gamma')) n = `${n.slice(0, -'.gamma'.length)}.weight`;
  else if (n.endsWith('.beta')) n = `${n.slice(0, -'.beta'.length)}.bias`;
  if (BASE_MODEL_PARTS.some((p) => n.startsWith(p))) n = `bert.${n}`;
  return n;
}

export function isIgnoredBuffer(canonical: string): boolean {
  return IGNORED.has(canonical);
}
