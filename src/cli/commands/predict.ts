/**
 * fnd predict MODEL "text" | --file texts.jsonl
 *
 * MODEL is a saved model folder (runs/<id>/model, or the save stage's `path`) or a run id,
 * prefix or `latest`. The folder's fnd.json preparation (cleaning, title + text) is applied, so
 * raw articles go in as they come. One JSON line per input: {"label", "probabilities"}; with
 * --file each line also echoes the input's id (its own "id", else its line number) and the start
 * of its text, so results can be matched to inputs. --table prints the same as aligned columns.
 */
import { resolve } from 'node:path';
import { defineCommand, jsonOption, type CliIO } from '../command.js';
import { FndError } from '../../util/errors.js';
import { resolveModelRef } from '../model-ref.js';
import { formatNumber } from '../../format/number.js';
import { textTable, type ColumnSpec } from '../../format/table.js';
import { truncate } from '../../format/text.js';
import { readInputs } from '../../predict/read-inputs.js';
import type { RawInput } from '../../predict/prepare-text.js';
import type { Prediction } from '../../predict/predictor.js';

function parseBatchSize(value: unknown): number {
  if (value === undefined) return 32;
  if (typeof value !== 'string' || !/^\d+$/.test(value) || Number(value) < 1) {
    throw new FndError(`--batch-size must be a positive integer, got ${JSON.stringify(value)}`, { exitCode: 2 });
  }
  return Number(value);
}

async function gatherInputs(args: { text?: unknown; title?: unknown; file?: unknown }, io: CliIO): Promise<RawInput[]> {
  const hasText = typeof args.text === 'string';
  const hasFile = typeof args.file === 'string';
  if (hasText === hasFile) {
    throw new FndError('give the text to classify, e.g. fnd predict MODEL "Some headline and article", or --file texts.jsonl (- for stdin)', { exitCode: 2 });
  }
  if (hasText) return [typeof args.title === 'string' ? { title: args.title, text: args.text as string } : { text: args.text as string }];
  if (typeof args.title === 'string') throw new FndError('--title goes with a TEXT argument; in --file, put "title" in each line', { exitCode: 2 });
  const file = args.file as string;
  return file === '-' ? readInputs({ file: '<stdin>', stream: io.stdin }) : readInputs({ file: resolve(io.cwd, file) });
}

/** How much of an input is echoed: enough to recognise it. */
const ECHO_CHARS = 80;

/** The start of what was classified: the title when there is one, else the text. */
function echo(input: RawInput): string {
  return truncate(input.title !== undefined && input.title.trim() !== '' ? `${input.title} — ${input.text}` : input.text, ECHO_CHARS);
}

/** One JSON line per input; inputs from a file carry their id and the start of their text. */
function jsonLines(inputs: readonly RawInput[], predictions: readonly Prediction[]): string {
  return predictions
    .map((p, i) => {
      const input = inputs[i]!;
      return `${JSON.stringify(input.id !== undefined ? { id: input.id, input: echo(input), ...p } : p)}\n`;
    })
    .join('');
}

/** A human view: id, label, confidence and the start of the input, in aligned columns. */
function tableLines(inputs: readonly RawInput[], predictions: readonly Prediction[]): string {
  const withId = inputs.some((input) => input.id !== undefined);
  const columns: ColumnSpec[] = [...(withId ? ['id'] : []), 'label', { header: 'confidence', align: 'right' }, 'input'];
  const rows = predictions.map((p, i) => {
    const input = inputs[i]!;
    return [...(withId ? [String(input.id ?? '')] : []), p.label, formatNumber(p.probabilities[p.label]!, { significant: 3 }), echo(input)];
  });
  return `${textTable(columns, rows)}\n`;
}

export default defineCommand({
  name: 'predict',
  summary: 'classify text with a saved model (a model folder or a run id)',
  options: [
    { name: 'file', short: 'f', type: 'string', valueName: 'FILE', description: 'JSON lines {"text": ...} or {"title": ..., "text": ...}; - reads stdin' },
    { name: 'title', type: 'string', valueName: 'TITLE', description: 'the headline that goes with TEXT (joined as the model was trained)' },
    { name: 'batch-size', type: 'string', valueName: 'N', description: 'texts per forward pass (default 32)' },
    { name: 'table', type: 'boolean', description: 'a human-readable table instead of JSON lines' },
    jsonOption,
  ],
  positionals: [
    { name: 'model', required: true },
    { name: 'text' },
  ],
  async run(args, io) {
    const ref = String(args.positionals.model ?? '');
    const batchSize = parseBatchSize(args.options['batch-size']);
    const dir = await resolveModelRef(ref, { cwd: io.cwd, env: io.env });
    const inputs = await gatherInputs({ text: args.positionals.text, title: args.options.title, file: args.options.file }, io);
    // The tensor engine loads only now, after the cheap checks above.
    const { initBackend } = await import('../../nn/backend/index.js');
    const { loadPredictor } = await import('../../predict/predictor.js');
    await initBackend({ env: io.env });
    const predictor = await loadPredictor(dir);
    try {
      const predictions = await predictor.predict(inputs, { batchSize });
      if (args.options.table === true && args.options.json !== true) io.stdout.write(tableLines(inputs, predictions));
      else io.stdout.write(jsonLines(inputs, predictions));
    } finally {
      predictor.dispose();
    }
    return 0;
  },
});
