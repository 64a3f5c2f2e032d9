import type { Artifact, InputArtifacts } from '../sdk/index.js';
import { StageUserError } from '../sdk/index.js';

/** The input artifact on `port`, checked to be a table; a missing wire is a user error naming the stage. */
export function tableInput(inputs: InputArtifacts, port: string, stage: string): Artifact {
  const artifact = inputs[port];
  if (artifact === undefined) throw new StageUserError(`${stage}: input "${port}" is not connected`);
  if (artifact.kind !== 'table') throw new StageUserError(`${stage}: input "${port}" must be a table, got ${artifact.kind}`);
  return artifact;
}
