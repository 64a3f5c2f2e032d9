import { makeProject } from '../engine/project.js';
import { SWEEP_PLUGINS, SWEEP_SPEC } from './project.js';
console.log(makeProject({ ...SWEEP_PLUGINS, 'sweep.yaml': SWEEP_SPEC }));
