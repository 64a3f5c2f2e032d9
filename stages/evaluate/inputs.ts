import { StageUserError, type Artifact, type InputArtifacts } from '../../src/sdk/index.js';
import { agreeOnClassNames } from '../../src/artifacts/classes.js';

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

/**
 * Label names for reports, from one source of truth: the model's id2label, which must agree with
 * the class names of the data evaluated (else the stage stops, showing both); placeholders
 * (LABEL_0, ...) give way to fnd.json's names, then the data's; ids as a last resort.
 */
export function labelNamesOf(
  id2label: Record<string, string>,
  fndLabels: Record<string, string> | undefined,
  dataLabels: Record<string, string> | undefined,
  dataWhat = 'the data',
): Record<string, string> {
  return agreeOnClassNames(
    'evaluate',
    [
      { names: id2label, what: "the model's id2label" },
      { names: fndLabels, what: "the model's fnd.json" },
      { names: dataLabels, what: `the evaluated data (${dataWhat})` },
    ],
    'the model was trained with other class names than this data has; load the data with the same classes',
  )!;
}
