/**
 * Everything a stage's result depends on. Kept next to the signature value so `fnd status` can
 * say which part changed (the way an Nx hash carries its details, or a DVC lock entry its deps).
 */
export interface SignatureDetails {
  /** Plugin name, e.g. "tokenize". */
  plugin: string;
  /** The plugin's declared version. */
  version: string;
  /** Hash of the plugin's source files (hashSourceTree). */
  code: string;
  /** Params after defaults were applied. */
  params: Record<string, unknown>;
  /** Input port -> content hash (or signature) of the artifact wired to it. */
  inputs: Record<string, string>;
  /** Facts that change the numbers, e.g. `{ backend: "wasm-blas" }`; empty for stages without tensors. */
  environment: Record<string, string>;
}
