/**
 * Applies a model's recorded text preparation to one raw input, so `fnd predict` sees text the
 * way the training pipeline's tables did (cleaned, then title + separator + text).
 */
import { cleanText } from '../text/clean.js';
import type { PreparationStep } from './fnd-json.js';

export interface RawInput {
  title?: string;
  text: string;
  /** Where the input came from, echoed with its prediction: the input's own `id`, else its line number in the file. */
  id?: string | number;
}

/**
 * The text to tokenize. Columns are tracked by the names the pipeline used: the input's title
 * and text fill the concat step's title and text columns (or "title"/"text" without one). An
 * input with no title skips the concatenation: its text alone becomes the joined column.
 */
export function prepareText(input: RawInput, preparation: readonly PreparationStep[], textField = 'text'): string {
  const concat = preparation.find((step) => step.stage === 'concat-title-text');
  const titleColumn = concat?.title_field ?? 'title';
  const textColumn = concat?.text_field ?? textField;
  const row: Record<string, string> = { [textColumn]: input.text };
  const hasTitle = input.title !== undefined;
  if (hasTitle) row[titleColumn] = input.title!;
  for (const step of preparation) {
    if (step.stage === 'clean-text') {
      const value = row[step.field];
      if (value !== undefined) row[step.field] = cleanText(value, step.rules).text;
    } else {
      const output = step.output_field ?? step.text_field;
      const text = row[step.text_field] ?? '';
      row[output] = hasTitle ? (row[step.title_field] ?? '') + step.separator + text : text;
    }
  }
  return row[textField] ?? row[textColumn] ?? input.text;
}
