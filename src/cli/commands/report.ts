import { defineCommand } from '../command.js';
import { FndError } from '../../util/errors.js';

export default defineCommand({
  name: 'report',
  summary: 'write a self-contained HTML report of a run or a sweep',
  positionals: [{ name: 'ref', required: true }],
  options: [],
  async run() {
    throw new FndError('fnd report: not implemented yet');
  },
});
