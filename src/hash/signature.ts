import { canonicalJson, sha256 } from './canonical.js';
import type { SignatureDetails } from './details.js';

export type { SignatureDetails } from './details.js';

export interface Signature {
  /** sha256 (hex) of the canonical JSON of `details`. */
  value: string;
  /** A canonical copy of what was hashed (undefined params dropped), safe to store and compare later. */
  details: SignatureDetails;
}

export function computeSignature(details: SignatureDetails): Signature {
  const json = canonicalJson(details);
  return { value: sha256(json), details: JSON.parse(json) as SignatureDetails };
}
