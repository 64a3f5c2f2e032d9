/**
 * The error analysis itself, on rows already read: which test examples the model got wrong,
 * how sure it was, how errors spread over subjects, and which test titles also occur in train.
 * Pure functions (no I/O), so the ordering rules are tested directly.
 */

export interface Prediction {
  id: string;
  label: number;
  predicted: number;
  probabilities: number[];
  confidence: number;
}

/** What the analysis needs from a test row. */
export interface TestExample {
  id: string;
  /** The text shown for the example: its title, or the start of its text when the table has no titles. */
  title: string;
  subject?: string;
}

export interface Misclassified {
  id: string;
  title: string;
  label: number;
  labelName: string;
  predicted: number;
  predictedName: string;
  confidence: number;
  probabilities: number[];
  subject?: string;
  /** Whether the same title (trimmed, lower-cased) occurs in the train split. Absent when leakage was not checked. */
  titleInTrain?: boolean;
}

export interface SubjectErrors {
  subject: string;
  examples: number;
  misclassified: number;
  errorRate: number;
}

export interface ErrorPair {
  label: string;
  predicted: string;
  count: number;
}

export interface LeakedTitle {
  /** The title as it first appears in the test split. */
  title: string;
  testRows: number;
  trainRows: number;
  misclassified: number;
}

export interface Leakage {
  /** Distinct titles found in both splits, most misclassified first, then most frequent. */
  titles: LeakedTitle[];
  /** Test rows whose title occurs in train. */
  testRows: number;
  /** Of those, how many the model got wrong. */
  misclassified: number;
}

export interface ErrorAnalysis {
  examples: number;
  /** All mistakes, most confident first (ties keep prediction order). */
  misclassified: Misclassified[];
  errorRate: number;
  /** Mistakes by (true, predicted) label pair, most frequent first. */
  pairs: ErrorPair[];
  /** Present when the test rows have a subject. */
  subjects?: SubjectErrors[];
  /** Present when a train split was given. */
  leakage?: Leakage;
}

/** The key two titles are compared by: trimmed and lower-cased, exactly that. Empty titles never match. */
export function titleKey(title: string): string {
  return title.trim().toLowerCase();
}

/**
 * A title shortened for a table cell: whitespace collapsed, cut at a word boundary near
 * `maxChars` code points (never inside a surrogate pair) and marked with an ellipsis.
 */
export function truncateTitle(title: string, maxChars: number): string {
  const flat = title.replace(/\s+/g, ' ').trim();
  const chars = Array.from(flat);
  if (chars.length <= maxChars) return flat;
  const keep = Math.max(1, maxChars - 1); // one place is for the ellipsis
  // A space right after the kept part still counts as a word boundary.
  const window = chars.slice(0, keep + 1).join('');
  const space = window.lastIndexOf(' ');
  // Cutting at the last space keeps words whole, unless that would throw away most of the text.
  const head = space >= keep * 0.6 ? window.slice(0, space) : chars.slice(0, keep).join('');
  return `${head.replace(/[\s.,;:!?-]+$/, '')}…`;
}

export interface AnalyzeInput {
  predictions: readonly Prediction[];
  /** Test rows by id. Every prediction must have one. */
  test: ReadonlyMap<string, TestExample>;
  labelName: (label: number) => string;
  /** Title key → number of train rows with that title; undefined when no train split was given. */
  trainTitles?: ReadonlyMap<string, number>;
}

export function analyzeErrors(input: AnalyzeInput): ErrorAnalysis {
  const { predictions, test, labelName, trainTitles } = input;
  const misclassified: Misclassified[] = [];
  const subjects = new Map<string, { examples: number; misclassified: number }>();
  let hasSubject = false;
  const leaked = new Map<string, LeakedTitle>();
  let leakedRows = 0;
  let leakedWrong = 0;

  for (const p of predictions) {
    const example = test.get(p.id);
    if (example === undefined) throw new Error(`analyzeErrors: prediction ${p.id} has no test row`);
    const wrong = p.predicted !== p.label;
    if (example.subject !== undefined) hasSubject = true;
    const subject = example.subject ?? '(none)';
    const bucket = subjects.get(subject) ?? { examples: 0, misclassified: 0 };
    bucket.examples++;
    if (wrong) bucket.misclassified++;
    subjects.set(subject, bucket);

    let titleInTrain: boolean | undefined;
    if (trainTitles !== undefined) {
      const key = titleKey(example.title);
      const trainRows = key === '' ? 0 : (trainTitles.get(key) ?? 0);
      titleInTrain = trainRows > 0;
      if (titleInTrain) {
        leakedRows++;
        if (wrong) leakedWrong++;
        const entry = leaked.get(key) ?? { title: example.title.trim(), testRows: 0, trainRows, misclassified: 0 };
        entry.testRows++;
        if (wrong) entry.misclassified++;
        leaked.set(key, entry);
      }
    }

    if (wrong) {
      misclassified.push({
        id: p.id,
        title: example.title,
        label: p.label,
        labelName: labelName(p.label),
        predicted: p.predicted,
        predictedName: labelName(p.predicted),
        confidence: p.confidence,
        probabilities: p.probabilities,
        ...(example.subject !== undefined ? { subject: example.subject } : {}),
        ...(titleInTrain !== undefined ? { titleInTrain } : {}),
      });
    }
  }

  // Array.prototype.sort is stable, so equal confidences keep the predictions' order.
  misclassified.sort((a, b) => b.confidence - a.confidence);

  const pairCounts = new Map<string, ErrorPair>();
  for (const m of misclassified) {
    const key = `${m.label}\u0000${m.predicted}`;
    const pair = pairCounts.get(key) ?? { label: m.labelName, predicted: m.predictedName, count: 0 };
    pair.count++;
    pairCounts.set(key, pair);
  }

  const result: ErrorAnalysis = {
    examples: predictions.length,
    misclassified,
    errorRate: predictions.length === 0 ? 0 : misclassified.length / predictions.length,
    pairs: [...pairCounts.values()].sort((a, b) => b.count - a.count),
  };
  if (hasSubject) {
    result.subjects = [...subjects.entries()]
      .map(([subject, s]) => ({ subject, examples: s.examples, misclassified: s.misclassified, errorRate: s.misclassified / s.examples }))
      .sort((a, b) => b.misclassified - a.misclassified || b.errorRate - a.errorRate || compareText(a.subject, b.subject));
  }
  if (trainTitles !== undefined) {
    result.leakage = {
      titles: [...leaked.values()].sort(
        (a, b) => b.misclassified - a.misclassified || b.testRows - a.testRows || compareText(a.title, b.title),
      ),
      testRows: leakedRows,
      misclassified: leakedWrong,
    };
  }
  return result;
}

/** Locale-independent ordering, so the report is the same on every machine. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
