/** Canonical JSON, content hashes of files and folders, and stage signatures with their explanations. */
export { canonicalJson, sha256 } from './canonical.js';
export { hashDirectory, hashFile, hashSourceTree, type DirectoryHash, type HashedFile, type SourceTreeOptions } from './files.js';
export { computeSignature, type Signature, type SignatureDetails } from './signature.js';
export { explainDifference, listDifferences, type Difference } from './explain.js';
