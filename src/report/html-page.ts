/**
 * The frame of an HTML report: escaping, tables and one page with its CSS inline. Nothing here
 * refers to a URL, so the page opens offline and from any folder.
 */

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export interface HtmlCell {
  text: string;
  numeric?: boolean;
  /** Shown on hover: the full name behind an abbreviated header. */
  title?: string;
  /** 0..1: the cell's background shade (a row-normalised confusion matrix reads as a heatmap). */
  shade?: number;
}

function cellHtml(tag: 'th' | 'td', cell: string | HtmlCell, numeric: boolean): string {
  const c = typeof cell === 'string' ? { text: cell } : cell;
  const attributes = [
    ...(c.numeric || numeric ? [' class="num"'] : []),
    ...(c.title !== undefined ? [` title="${escapeHtml(c.title)}"`] : []),
    ...(c.shade !== undefined ? [` style="background: rgba(33, 102, 172, ${(0.75 * Math.min(1, Math.max(0, c.shade))).toFixed(3)})"`] : []),
  ];
  return `<${tag}${attributes.join('')}>${escapeHtml(c.text)}</${tag}>`;
}

/** A table in a horizontally scrolling box, so a wide one never widens the page. */
export function htmlTable(columns: readonly (string | HtmlCell)[], rows: readonly (readonly (string | HtmlCell)[])[], numericColumns: ReadonlySet<number> = new Set()): string {
  const head = columns.map((c, i) => cellHtml('th', c, numericColumns.has(i))).join('');
  const body = rows.map((row) => `<tr>${row.map((cell, i) => cellHtml('td', cell, numericColumns.has(i))).join('')}</tr>`).join('\n');
  return `<div class="scroll"><table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table></div>`;
}

export interface HtmlSection {
  title: string;
  /** Already-escaped HTML. */
  html: string;
}

const CSS = `
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 1200px; padding: 0 1rem; color: #1f2328; background: #fff; }
.scroll { overflow-x: auto; max-width: 100%; }
.headline td.num { font-size: 1.05rem; font-weight: 600; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #d0d7de; padding-bottom: .3rem; }
p.meta { color: #59636e; margin-top: 0; }
table { border-collapse: collapse; font-size: .85rem; margin: .5rem 0 1rem; }
th, td { border: 1px solid #d0d7de; padding: .25rem .5rem; text-align: left; vertical-align: top; white-space: nowrap; }
th { background: #f6f8fa; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem; }
figure { margin: 0; border: 1px solid #d0d7de; border-radius: 6px; padding: .5rem; background: #fff; }
figcaption { font-size: .85rem; color: #59636e; margin-bottom: .3rem; }
figure { max-width: 100%; overflow-x: auto; }
figure svg { max-width: 100%; height: auto; }
pre { background: #f6f8fa; padding: .75rem; overflow-x: auto; font-size: .8rem; }
ul.notes { color: #59636e; }
`;

export function htmlPage(title: string, meta: readonly string[], sections: readonly HtmlSection[]): string {
  const body = sections.map((s) => `<section>\n<h2>${escapeHtml(s.title)}</h2>\n${s.html}\n</section>`).join('\n');
  const metaHtml = meta.map((line) => `<p class="meta">${escapeHtml(line)}</p>`).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${metaHtml}
${body}
</body>
</html>
`;
}
