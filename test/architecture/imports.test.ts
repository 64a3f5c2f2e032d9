/**
 * The layering rule of README's "Architecture" section, checked on the real sources: every
 * relative import in src/ and stages/ (static, dynamic, `export … from`, type-only included) is
 * parsed with TypeScript's own pre-processor, and the test asserts that
 *  - no module reaches, through any chain of imports, back to itself (no cycles), and
 *  - every import between two folders of src/ goes down the layer list below, and stages import
 *    only the library layers.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { findCycles, layerViolations, LAYERS, STAGE_IMPORTS, unitOf, type ImportEdge } from './layers.js';

const root = resolve(__dirname, '../..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|mts)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** `./a.js` written in a .ts file names `./a.ts` (NodeNext resolution); a folder names its index. */
function resolveSpecifier(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier);
  const candidates = [base.replace(/\.js$/, '.ts'), base.replace(/\.mjs$/, '.mts'), base, `${base}.ts`, join(base, 'index.ts')];
  return candidates.find((path) => {
    try {
      return statSync(path).isFile();
    } catch {
      return false;
    }
  });
}

function importEdges(): ImportEdge[] {
  const files = [...sourceFiles(join(root, 'src')), ...sourceFiles(join(root, 'stages'))];
  return files.flatMap((file) => {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    return info.importedFiles
      .filter((ref) => ref.fileName.startsWith('.'))
      .flatMap((ref) => {
        const target = resolveSpecifier(file, ref.fileName);
        if (target === undefined || !/\.(ts|mts)$/.test(target)) return [];
        return [{ from: relative(root, file).split('\\').join('/'), to: relative(root, target).split('\\').join('/') }];
      });
  });
}

const edges = importEdges();

describe('architecture', () => {
  it('reads the real import graph, type-only imports included', () => {
    // Guards the parser: these edges exist in the sources (one of them type-only).
    expect(edges.length).toBeGreaterThan(300);
    expect(edges).toContainEqual({ from: 'src/cli/main.ts', to: 'src/util/errors.ts' });
    expect(edges).toContainEqual({ from: 'src/nn/bert/model.ts', to: 'src/sdk/index.ts' });
  });

  it('has no import cycles', () => {
    expect(findCycles(edges)).toEqual([]);
  });

  it('imports flow down the layers', () => {
    expect(layerViolations(edges)).toEqual([]);
  });

  it('places every folder of src/ in a layer', () => {
    const units = new Set(edges.flatMap((edge) => [unitOf(edge.from), unitOf(edge.to)]));
    const unplaced = [...units].filter((unit) => unit.startsWith('src/') && !LAYERS.some((layer) => layer.includes(unit)));
    expect(unplaced).toEqual([]);
    expect(STAGE_IMPORTS.every((unit) => LAYERS.some((layer) => layer.includes(unit)))).toBe(true);
  });

  it('catches a cycle and an upward import (the checker itself can fail)', () => {
    expect(findCycles([
      { from: 'src/a.ts', to: 'src/b.ts' },
      { from: 'src/b.ts', to: 'src/c.ts' },
      { from: 'src/c.ts', to: 'src/a.ts' },
    ])).toEqual([['src/a.ts', 'src/b.ts', 'src/c.ts', 'src/a.ts']]);
    expect(layerViolations([
      { from: 'src/report/html.ts', to: 'src/cli/format/number.ts' },
      { from: 'stages/evaluate/index.ts', to: 'src/engine/plan.ts' },
      { from: 'src/engine/plan.ts', to: 'src/hash/signature.ts' },
    ])).toEqual([
      'src/report/html.ts -> src/cli/format/number.ts (src/report may not import src/cli)',
      'stages/evaluate/index.ts -> src/engine/plan.ts (a stage may import only sdk, util, format, artifacts, text, nn, training, metrics, hub, predict, plots, loading)',
    ]);
  });
});
