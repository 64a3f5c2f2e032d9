/**
 * BERT normalisation exactly as Hugging Face's Rust `tokenizers` does it (normalizers/bert.rs).
 *
 * `@huggingface/tokenizers`' own BertNormalizer differs from Rust in three ways that change ids:
 * it lowercases the whole string at once (so a word-final "Σ" becomes "ς", where Rust maps each
 * character on its own and gets "σ"), it looks for CJK characters one UTF-16 unit at a time (so
 * astral ideographs such as U+20000 are never split out), and it lowercases before stripping
 * accents. The wrapper installs `bertNormalize` as the package normaliser's `normalize`, keeping
 * the package's tokenizer pipeline.
 */

export interface BertNormalizerOptions {
  cleanText: boolean;
  handleChineseChars: boolean;
  /** null: strip accents when lowercasing (Rust's `strip_accents.unwrap_or(lowercase)`). */
  stripAccents: boolean | null;
  lowercase: boolean;
}

// Rust's `is_control`: Cc, Cf, Co, Cs minus \t \n \r; NUL and U+FFFD go too. Unassigned code
// points (Cn) stay, as in Rust (checked against the oracle: U+0378 becomes [UNK], not nothing).
const CONTROL = /[\0\uFFFD]|(?![\t\n\r])[\p{Cc}\p{Cf}\p{Co}\p{Cs}]/gu;
// Rust's `char::is_whitespace` is the White_Space property (JS `\s` differs on U+0085 and U+FEFF).
const WHITESPACE = /\p{White_Space}/gu;
// Ranges copied from the Rust implementation's `is_chinese_char`.
const CJK = /[\u{4E00}-\u{9FFF}\u{3400}-\u{4DBF}\u{20000}-\u{2A6DF}\u{2A700}-\u{2B73F}\u{2B740}-\u{2B81F}\u{2B920}-\u{2CEAF}\u{F900}-\u{FAFF}\u{2F800}-\u{2FA1F}]/gu;
const NONSPACING_MARK = /\p{Mn}/gu;
// Printable ASCII plus \t \n \r: nothing to clean, no CJK, no accents, no special lowercasing.
const PLAIN_ASCII = /^[\x20-\x7E\t\n\r]*$/;

/** Pure function form, usable without the package's class (workers, tests). */
export function bertNormalize(text: string, options: BertNormalizerOptions): string {
  const plain = PLAIN_ASCII.test(text);
  if (options.cleanText) {
    if (!plain) text = text.replace(CONTROL, '');
    text = text.replace(WHITESPACE, ' ');
  }
  if (options.handleChineseChars && !plain) text = text.replace(CJK, ' $& ');
  const strip = options.stripAccents ?? options.lowercase;
  if (strip && !plain) text = text.normalize('NFD').replace(NONSPACING_MARK, '');
  if (options.lowercase) text = lowercasePerChar(text);
  return text;
}

/**
 * Lowercases each code point independently, as Rust's `char::to_lowercase` does. JS's
 * `toLowerCase` is context-free except for the final-sigma rule, so only strings holding
 * "Σ" need the slow path.
 */
function lowercasePerChar(text: string): string {
  if (!text.includes('\u03A3')) return text.toLowerCase();
  return text
    .split('\u03A3')
    .map((part) => part.toLowerCase())
    .join('\u03C3');
}
