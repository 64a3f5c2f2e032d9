/**
 * Rules that remove source giveaways from ISOT articles. In ISOT nearly every real article
 * starts with a Reuters dateline and many fake ones end with "Featured image via ...", so a
 * classifier can score ~100% by spotting the publisher instead of the content. Each rule
 * deletes its pattern and nothing else; rules apply in the order of CLEAN_RULE_NAMES.
 */

export const CLEAN_RULE_NAMES = ['reuters_dateline', 'reuters_mention', 'twitter', 'featured_image', 'urls', 'whitespace'] as const;
export type CleanRuleName = (typeof CLEAN_RULE_NAMES)[number];

/** The giveaway rules; `whitespace` (collapse runs of whitespace, trim) is opt-in. */
export const DEFAULT_CLEAN_RULES: CleanRuleName[] = ['reuters_dateline', 'reuters_mention', 'twitter', 'featured_image', 'urls'];

export const CLEAN_RULE_DESCRIPTIONS: Record<CleanRuleName, string> = {
  reuters_dateline: 'leading dateline such as "WASHINGTON (Reuters) - " or "LONDON/BERLIN (Reuters) - "',
  reuters_mention: 'any remaining "(Reuters)"',
  twitter: 'pic.twitter.com links and @handles (with their parentheses when alone inside them)',
  featured_image: 'trailing "Featured image via ..." / "Featured Image: ..." credit, to the end of the text',
  urls: 'http(s):// and www. links',
  whitespace: 'collapse runs of whitespace to one space and trim',
};

// A dateline is up to 80 characters without parentheses or line breaks (cities, "GADSDEN, Ala.",
// "KING OF PRUSSIA, Pennsylvania/WASHINGTON", "Berlin"), then "(Reuters)", then a dash. The dash
// is required so a sentence that merely cites "(Reuters)" is left to `reuters_mention`; every
// ISOT dateline (2,737 in the project's subset) has one.
const DATELINE = /^\s*[^()\n]{0,80}?\(Reuters\)\s*[-–—]\s*/;
const REUTERS = /\s*\(Reuters\)/g;
const PIC_TWITTER = /(?:https?:\/\/)?pic\.twitter\.com\/\w+/gi;
const HANDLE_IN_PARENS = /\s*\(\s*@\w{1,15}\s*\)/g;
// Not after a word character or dot, so e-mail addresses stay.
const HANDLE = /(?<![\w.@])@\w{1,15}\b/g;
const FEATURED = /\s*Featured (?:image|photo)\b[\s\S]*$/i;
const URL = /\b(?:https?:\/\/|www\.)\S+/gi;
const SPACES = /\s+/g;

const APPLY: Record<CleanRuleName, (text: string) => string> = {
  reuters_dateline: (text) => text.replace(DATELINE, ''),
  reuters_mention: (text) => text.replace(REUTERS, ''),
  twitter: (text) => text.replace(PIC_TWITTER, '').replace(HANDLE_IN_PARENS, '').replace(HANDLE, ''),
  featured_image: (text) => text.replace(FEATURED, ''),
  urls: (text) => text.replace(URL, ''),
  whitespace: (text) => text.replace(SPACES, ' ').trim(),
};

export interface CleanResult {
  text: string;
  /** Rules that changed the text, in the order applied. */
  changedBy: CleanRuleName[];
}

/** Applies `rules` (in canonical order, whatever order they are given in). */
export function cleanText(text: string, rules: readonly CleanRuleName[]): CleanResult {
  const changedBy: CleanRuleName[] = [];
  let current = text;
  for (const rule of CLEAN_RULE_NAMES) {
    if (!rules.includes(rule)) continue;
    const next = APPLY[rule](current);
    if (next !== current) changedBy.push(rule);
    current = next;
  }
  return { text: current, changedBy };
}
