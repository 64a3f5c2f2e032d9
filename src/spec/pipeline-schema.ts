/** The JSON Schema of a pipeline spec file (schemas/pipeline.schema.json), for code that needs its shape. */
import schema from '../../schemas/pipeline.schema.json' with { type: 'json' };

export const pipelineSchema: Record<string, unknown> = schema;

/** Keys allowed at the top of a spec; a --set path starting with anything else is a stage id. */
export const topLevelKeys: readonly string[] = Object.keys(schema.properties);

/** Keys allowed in a stage. */
export const stageKeys: readonly string[] = Object.keys(schema.definitions.stage.properties);
