/**
 * Renders a vega-lite spec to an SVG string in Node, with no DOM, no canvas and no network.
 *
 * vega-lite compiles to a vega spec; a headless `vega.View` (renderer 'none') lays it out and
 * `toSVG()` serialises the scenegraph. Text widths come from vega's built-in estimate when the
 * optional `canvas` package is absent, so output depends only on the input.
 */
import * as vega from 'vega';
import * as vl from 'vega-lite';
import { FndError } from '../util/errors.js';

export type VegaLiteSpec = vl.TopLevelSpec;

/** A loader that refuses every URL: charts carry their data inline, and a report must never reach the network. */
function offlineLoader(): vega.Loader {
  const refuse = async (uri: string): Promise<never> => {
    throw new FndError(`chart tried to load ${JSON.stringify(uri)}; charts must carry their data inline`);
  };
  return { load: refuse, sanitize: refuse, http: refuse, file: refuse };
}

/**
 * vega names gradients and clip paths from process-wide counters, so the same chart rendered twice
 * gets different ids. Renaming them in order of appearance makes the SVG a function of its input.
 */
export function normalizeSvgIds(svg: string): string {
  const ids = new Map<string, string>();
  for (const match of svg.matchAll(/\sid="([^"]+)"/g)) {
    const id = match[1]!;
    if (!ids.has(id)) ids.set(id, `fnd-${ids.size + 1}`);
  }
  if (ids.size === 0) return svg;
  return svg.replace(/(\sid="|url\(#|href="#)([^")]+)/g, (whole, prefix: string, id: string) => {
    const renamed = ids.get(id);
    return renamed === undefined ? whole : `${prefix}${renamed}`;
  });
}

/** Compiles and renders `spec`; resolves to a standalone SVG document. */
export async function renderVegaLite(spec: VegaLiteSpec): Promise<string> {
  const compiled = vl.compile(spec).spec;
  // vega reports problems (a refused load included) through its logger and carries on with an
  // empty chart; collect them instead of printing, and fail on the ones that mean missing data.
  const problems: string[] = [];
  const logger = vega.logger(vega.Warn, undefined, (_method, level, args) => {
    if (level === 'ERROR' || (level === 'WARN' && String(args[0]).startsWith('Loading failed'))) {
      problems.push(args.map((a) => (a instanceof Error ? a.message : String(a))).join(' '));
    }
  });
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', loader: offlineLoader(), logger });
  try {
    const svg = await view.toSVG();
    if (problems.length > 0) throw new FndError(`chart could not be drawn: ${problems.join('; ')}`);
    return normalizeSvgIds(svg);
  } finally {
    view.finalize();
  }
}
