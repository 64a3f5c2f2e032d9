import { describe, expect, it } from 'vitest';
import { confusionMatrixSvg, learningCurvesSvg, lineChartSvg, scatterSvg } from '../../src/plots/charts.js';
import { normalizeSvgIds, renderVegaLite } from '../../src/plots/vega.js';

/** The text content of every <text> element, entities decoded. */
function texts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) =>
    m[1]!.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&'),
  );
}

/** A minimal well-formedness check: every element opened is closed, in order. */
function expectWellFormedXml(svg: string): void {
  expect(svg.startsWith('<svg')).toBe(true);
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z][\w:-]*)[^>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = m;
    if (selfClosing) continue;
    if (closing) expect(stack.pop()).toBe(name);
    else stack.push(name!);
  }
  expect(stack).toEqual([]);
}

const history = {
  steps: Array.from({ length: 30 }, (_, i) => ({ step: (i + 1) * 10, loss: 0.7 / (i + 1), lr: 5e-5 * Math.min(1, (i + 1) / 10) })),
  epochs: [1, 2, 3].map((epoch) => ({ epoch, metrics: { accuracy: 0.9 + epoch / 100, f1: 0.89 + epoch / 100, loss: 0.3 / epoch } })),
};

describe('confusionMatrixSvg', () => {
  it('draws a heatmap with axis titles, label names and every count as text', async () => {
    const svg = await confusionMatrixSvg(
      [
        [7045, 3],
        [2, 6425],
      ],
      ['fake', 'real'],
      'Test split',
    );
    expectWellFormedXml(svg);
    const t = texts(svg);
    for (const expected of ['Test split', 'Predicted label', 'True label', 'fake', 'real', '7045', '3', '2', '6425']) {
      expect(t).toContain(expected);
    }
    // The fill of the largest cell is darker than the smallest cell's: a real colour scale, not constant.
    const fill = (label: string): string | undefined => svg.match(new RegExp(`aria-label="${label}"[^>]*fill="([^"]+)"`))?.[1];
    const dark = fill('Predicted label: fake; True label: fake; Count: 7045');
    const light = fill('Predicted label: real; True label: fake; Count: 3');
    expect(dark).toMatch(/^rgb\(/);
    expect(light).toMatch(/^rgb\(/);
    expect(dark).not.toBe(light);
    expect(svg.match(/aria-roledescription="rect mark"/g)).toHaveLength(4);
  });

  it('renders the same SVG for the same input, ids included', async () => {
    const a = await confusionMatrixSvg([[1, 2, 3], [4, 5, 6], [7, 8, 9]], ['a', 'b', 'c']);
    const b = await confusionMatrixSvg([[1, 2, 3], [4, 5, 6], [7, 8, 9]], ['a', 'b', 'c']);
    expect(a).toBe(b);
  });

  it('rejects a matrix whose shape does not match the labels', async () => {
    await expect(confusionMatrixSvg([[1, 2]], ['a', 'b'])).rejects.toThrow('confusion matrix must be 2×2 for labels a, b');
  });
});

describe('learningCurvesSvg', () => {
  it('plots training loss per step, learning rate and validation metrics per epoch', async () => {
    const svg = await learningCurvesSvg(history);
    expectWellFormedXml(svg);
    const t = texts(svg);
    for (const expected of ['Learning curves', 'Training loss', 'Learning rate', 'Validation metrics per epoch', 'Validation loss per epoch', 'Step', 'Epoch', 'Loss', 'Score', 'accuracy', 'f1', 'loss']) {
      expect(t).toContain(expected);
    }
    expect(await learningCurvesSvg(history)).toBe(svg);
  });

  it('leaves out panels that have no data', async () => {
    const svg = await learningCurvesSvg({ steps: [{ step: 1, loss: 0.5 }, { step: 2, loss: 0.4 }], epochs: [] });
    const t = texts(svg);
    expect(t).toContain('Training loss');
    expect(t).not.toContain('Learning rate');
    expect(t).not.toContain('Validation metrics per epoch');
  });

  it('names the step of a non-finite loss and refuses an empty history', async () => {
    await expect(learningCurvesSvg({ steps: [{ step: 7, loss: Number.NaN }], epochs: [] })).rejects.toThrow('steps[0].loss (step 7) is null, expected a finite number');
    await expect(learningCurvesSvg({ steps: [], epochs: [] })).rejects.toThrow(/no logged steps and no evaluations/);
  });
});

describe('lineChartSvg and scatterSvg', () => {
  const points = [
    { x: 1e-5, y: 0.91, series: 'seed 1' },
    { x: 3e-5, y: 0.95, series: 'seed 1' },
    { x: 1e-5, y: 0.9, series: 'seed 2' },
    { x: 3e-5, y: 0.96, series: 'seed 2' },
  ];

  it('draws one line per series with the given titles', async () => {
    const svg = await lineChartSvg(points, { title: 'F1 by learning rate', xTitle: 'learning rate', yTitle: 'test F1', xLog: true, seriesTitle: 'Seed' });
    expectWellFormedXml(svg);
    const t = texts(svg);
    for (const expected of ['F1 by learning rate', 'learning rate', 'test F1', 'Seed', 'seed 1', 'seed 2']) expect(t).toContain(expected);
    expect(svg.match(/mark-line role-mark/g)).toHaveLength(2);
    expect(await lineChartSvg(points, { title: 'F1 by learning rate', xTitle: 'learning rate', yTitle: 'test F1', xLog: true, seriesTitle: 'Seed' })).toBe(svg);
  });

  it('draws a scatter without series', async () => {
    const svg = await scatterSvg([{ x: 1, y: 2 }, { x: 2, y: 3 }], { xTitle: 'batch size', yTitle: 'examples/s' });
    expectWellFormedXml(svg);
    expect(texts(svg)).toEqual(expect.arrayContaining(['batch size', 'examples/s']));
    expect(svg.match(/aria-roledescription="point"/g)).toHaveLength(2);
  });

  it('refuses empty data and non-positive x on a log axis', async () => {
    await expect(lineChartSvg([], { xTitle: 'x', yTitle: 'y' })).rejects.toThrow(/no points to plot/);
    await expect(lineChartSvg([{ x: 0, y: 1 }], { xTitle: 'x', yTitle: 'y', xLog: true })).rejects.toThrow(/log x axis needs x > 0/);
  });
});

describe('renderVegaLite', () => {
  it('never reaches the network: a spec that loads data by URL fails with a clear message', async () => {
    await expect(
      renderVegaLite({ data: { url: 'https://example.com/data.json' }, mark: 'point', encoding: { x: { field: 'a', type: 'quantitative' } } }),
    ).rejects.toThrow('chart could not be drawn: Loading failed https://example.com/data.json chart tried to load "https://example.com/data.json"; charts must carry their data inline');
  });
});

describe('normalizeSvgIds', () => {
  it('renames ids in order of appearance and rewrites their references', () => {
    const svg = '<svg><defs><linearGradient id="gradient_17"/><clipPath id="clip9"/></defs><rect fill="url(#gradient_17)" clip-path="url(#clip9)"/></svg>';
    expect(normalizeSvgIds(svg)).toBe(
      '<svg><defs><linearGradient id="fnd-1"/><clipPath id="fnd-2"/></defs><rect fill="url(#fnd-1)" clip-path="url(#fnd-2)"/></svg>',
    );
  });
});
