#!/usr/bin/env node
import { boot } from './boot.mjs';

process.exitCode = await boot(process.argv.slice(2));
