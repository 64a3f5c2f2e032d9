/**
 * SVG charts inlined into one HTML page. Each chart names its gradients and clip paths `fnd-1`,
 * `fnd-2`, ... (vega.ts makes ids deterministic); in one document those would collide, so every
 * chart's ids get a prefix of their own.
 */
import { escapeHtml } from './html-page.js';

export function inlineSvg(svg: string, prefix: string): string {
  const body = svg.replace(/^\s*<\?xml[^>]*\?>\s*/, '');
  return body.replace(/(\sid="|url\(#|href="#)(fnd-\d+)/g, (_whole, lead: string, id: string) => `${lead}${prefix}-${id}`);
}

export function figure(caption: string, svg: string, prefix: string): string {
  return `<figure><figcaption>${escapeHtml(caption)}</figcaption>${inlineSvg(svg, prefix)}</figure>`;
}
