/** Reading and writing the built-in artifact kinds, for stage plugins (`import ... from 'fnd/artifacts'`). */
export { readRows, readTable, readTableInfo, writeTable, type Row, type TableInfo } from './table.js';
export { readTokens, writeTokens } from './tokens.js';
