#!/usr/bin/env node
// fnd runs its TypeScript sources directly (tsx), so user stage plugins written in TypeScript
// load the same way as the built-in ones, with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
