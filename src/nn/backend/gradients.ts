/**
 * Registers tfjs-core's gradient functions.
 *
 * tfjs-core's Node entry (the CJS bundle) contains no gradients: the umbrella package
 * @tensorflow/tfjs registers them by importing `@tensorflow/tfjs-core/dist/register_all_gradients`,
 * an ES module tree whose relative imports have no file extensions (written for bundlers), which
 * Node's ESM loader refuses. We do not depend on the umbrella package (layers, converter, webgl,
 * data...), so a resolve hook scoped to tfjs-core's dist folder adds the `.js` (or `/index.js`)
 * that bundlers would. Gradients go into tfjs's global registry, shared by every copy of core.
 */
import * as tf from '@tensorflow/tfjs-core';
import { register } from 'node:module';

const RESOLVE_HOOK = `
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
export async function resolve(specifier, context, next) {
  const parent = context.parentURL;
  if (parent && parent.includes('/@tensorflow/tfjs-core/dist/') && specifier.startsWith('.') && !/\\.[cm]?js$/.test(specifier)) {
    const base = new URL(specifier, parent);
    const file = fileURLToPath(base);
    if (existsSync(file + '.js')) return next(base.href + '.js', context);
    if (existsSync(file) && statSync(file).isDirectory()) return next(base.href + '/index.js', context);
  }
  return next(specifier, context);
}`;

/** Makes tf.grad/tf.variableGrads work; a no-op when gradients are already registered. */
export async function ensureGradients(): Promise<void> {
  if (tf.getGradient('BatchMatMul') != null && tf.getGradient('Sum') != null) return;
  register(`data:text/javascript,${encodeURIComponent(RESOLVE_HOOK)}`);
  await import('@tensorflow/tfjs-core/dist/register_all_gradients.js' as string);
  if (tf.getGradient('Sum') == null) throw new Error('tfjs-core gradients failed to register');
}
