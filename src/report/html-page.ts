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
}

export function htmlTable(columns: readonly string[], rows: readonly (readonly (string | HtmlCell)[])[], numericColumns: ReadonlySet<number> = new Set()): string {
  const head = columns.map((c, i) => `<th${numericColumns.has(i) ? ' class="num"' : ''}>${escapeHtml(c)}</th>`).join('');
  const body = rows
    .map((row) => {
      const cells = row.map((cell, i) => {
        const c = typeof cell === 'string' ? { text: cell } : cell;
        return `<td${c.numeric || numericColumns.has(i) ? ' class="num"' : ''}>${escapeHtml(c.text)}</td>`;
      });
      return `<tr>${cells.join('')}</tr>`;
    })
    .join('\n');
  return `<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

export interface HtmlSection {
  title: string;
  /** Already-escaped HTML. */
  html: string;
}

const CSS = `
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 1200px; padding: 0 1rem; color: #1f2328; background: #fff; }
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
