/** The JSON Schema of a pipeline spec file (schemas/pipeline.schema.json), for code that needs its shape. */
import schema from '../../schemas/pipeline.schema.json' with { type: 'json' };

export const pipelineSchema: Record<string, unknown> = schema;

/**
 * Keys a --set path may start with; anything else is a stage id. `extends` is resolved when the
 * file is read, before any override, so it cannot be set.
 */
export const topLevelKeys: readonly string[] = Object.keys(schema.properties).filter((key) => key !== 'extends');

/** Keys allowed in a stage. */
export const stageKeys: readonly string[] = Object.keys(schema.definitions.stage.properties);
