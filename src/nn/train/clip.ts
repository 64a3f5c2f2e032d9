/**
 * Global-norm gradient clipping as torch.nn.utils.clip_grad_norm_: the norm of all gradients
 * taken together; when it exceeds maxNorm every gradient is scaled by maxNorm / (norm + 1e-6).
 */

/** sqrt(sum of squares) over every gradient, accumulated in float64. */
export function globalNorm(grads: Iterable<Float32Array>): number {
  let sum = 0;
  for (const g of grads) {
    let s = 0;
    for (let i = 0; i < g.length; i++) s += g[i]! * g[i]!;
    sum += s;
  }
  return Math.sqrt(sum);
}

/** The factor clip_grad_norm_ multiplies gradients by (1 when no clipping is needed or maxNorm is off). */
export function clipCoefficient(norm: number, maxNorm: number | undefined): number {
  if (maxNorm === undefined || maxNorm <= 0 || !Number.isFinite(maxNorm)) return 1;
  return Math.min(1, maxNorm / (norm + 1e-6));
}
