/**
 * BERT pre-tokenisation as Rust `tokenizers` does it (pre_tokenizers/bert.rs): split on
 * `char::is_whitespace` (removed) and on punctuation (kept, one character each), where
 * punctuation is ASCII punctuation or any Unicode P* category.
 *
 * The package's BertPreTokenizer uses JS `\s`, which differs from Rust's White_Space on
 * U+0085 and U+FEFF; that matters when `clean_text` is off.
 */

const PUNCT = '\\p{P}\\x21-\\x2F\\x3A-\\x40\\x5B-\\x60\\x7B-\\x7E';
const WORD_OR_PUNCT = new RegExp(`[^\\p{White_Space}${PUNCT}]+|[${PUNCT}]`, 'gu');

export function bertPreTokenize(text: string): string[] {
  return text.match(WORD_OR_PUNCT) ?? [];
}
