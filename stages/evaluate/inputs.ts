import { StageUserError, type Artifact, type InputArtifacts } from '../../src/sdk/index.js';

export interface SplitInput {
  /** Input port, also the split's name in metrics and file names. */
  port: 'test' | 'validation';
  outputPort: 'predictions' | 'validation_predictions';
  artifact: Artifact;
}

/** The wired splits, test first (the headline), then validation. */
export function splitInputs(inputs: InputArtifacts, stage: string): SplitInput[] {
  if (inputs.test === undefined) throw new StageUserError(`${stage}: input "test" is not connected`);
  const splits: SplitInput[] = [{ port: 'test', outputPort: 'predictions', artifact: inputs.test }];
  if (inputs.validation !== undefined) splits.push({ port: 'validation', outputPort: 'validation_predictions', artifact: inputs.validation });
  return splits;
}

export function tokensInput(artifact: Artifact, port: string, stage: string): Artifact {
  if (artifact.kind !== 'tokens') throw new StageUserError(`${stage}: input "${port}" must be tokens, got ${artifact.kind}`);
  return artifact;
}

const DEFAULT_NAME = /^LABEL_\d+$/;

/**
 * Label names for reports: the model's id2label unless it holds only transformers' defaults
 * (LABEL_0, ...), then fnd.json's labels, then the data's (tokens header); ids as a last resort.
 */
export function labelNamesOf(
  id2label: Record<string, string>,
  fndLabels: Record<string, string> | undefined,
  dataLabels: Record<string, string> | undefined,
): Record<string, string> {
  const named = Object.values(id2label).some((name) => !DEFAULT_NAME.test(name));
  if (named) return { ...id2label };
  return { ...id2label, ...(dataLabels ?? {}), ...(fndLabels ?? {}) };
}
