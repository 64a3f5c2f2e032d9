/**
 * Where the save stage may copy a model (issue 12 item 6): never inside fnd's cache, not inside
 * runs/ or into a folder holding files it did not write unless `overwrite: true`, and it never
 * deletes a file it did not write. fnd.json lists the files save wrote.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import save from '../../stages/save/index.js';
import { initBackend } from '../../src/nn/backend/index.js';
import { artifactAt, runStage } from '../helpers/run-stage.js';
import { savedModelDir } from '../predict/helpers.js';

const SAVED = ['config.json', 'model.safetensors', 'special_tokens_map.json', 'tokenizer.json', 'tokenizer_config.json', 'vocab.txt'];

describe('save: destinations', () => {
  let model: ReturnType<typeof artifactAt>;
  let project: string;

  beforeAll(async () => {
    await initBackend();
    model = artifactAt(await savedModelDir(), 'model');
    project = mkdtempSync(join(tmpdir(), 'fnd-save-dest-'));
  });

  const saveTo = (path: string, overwrite?: boolean) =>
    runStage(save, { path, ...(overwrite === undefined ? {} : { overwrite }) }, { model }, { projectDir: project, specDir: project });

  it('records what it wrote in fnd.json and, saving again, removes only its own old files', async () => {
    const target = join(project, 'models', 'a');
    await saveTo(target);
    expect(readdirSync(target).sort()).toEqual([...SAVED, 'fnd.json'].sort());
    expect(JSON.parse(readFileSync(join(target, 'fnd.json'), 'utf8')).files).toEqual(SAVED);
    // A file save once wrote but no longer writes goes; a file someone else put there (with
    // overwrite: true, which allows that) stays.
    const info = JSON.parse(readFileSync(join(target, 'fnd.json'), 'utf8'));
    writeFileSync(join(target, 'old-save-output.txt'), 'from an earlier save');
    writeFileSync(join(target, 'fnd.json'), JSON.stringify({ ...info, files: [...SAVED, 'old-save-output.txt'] }));
    writeFileSync(join(target, 'notes.md'), 'mine');
    await expect(saveTo(target)).rejects.toThrow(`save: path "${target}" (${target}) holds files save did not write (notes.md); refusing to overwrite them`);
    await saveTo(target, true);
    expect(readdirSync(target).sort()).toEqual([...SAVED, 'fnd.json', 'notes.md'].sort());
    expect(readFileSync(join(target, 'notes.md'), 'utf8')).toBe('mine');
    expect(JSON.parse(readFileSync(join(target, 'fnd.json'), 'utf8')).files).toEqual(SAVED);
  });

  it("refuses a folder of someone else's files, and an old-style model folder without a record, unless overwrite: true", async () => {
    const foreign = join(project, 'theirs');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'config.json'), '{"theirs": true}');
    writeFileSync(join(foreign, 'fnd.json'), '{"preparation": []}');
    await expect(saveTo(foreign)).rejects.toThrow(/holds files save did not write \(config\.json, fnd\.json\)/);
    expect(readFileSync(join(foreign, 'config.json'), 'utf8')).toBe('{"theirs": true}');
    writeFileSync(join(foreign, 'keep.bin'), 'x');
    await saveTo(foreign, true);
    expect(readdirSync(foreign).sort()).toEqual([...SAVED, 'fnd.json', 'keep.bin'].sort());
  });

  it("refuses another run's folder and the runs folder, unless overwrite: true", async () => {
    const runDir = join(project, 'runs', '20261201-000000-000-other');
    mkdirSync(join(runDir, 'model'), { recursive: true });
    writeFileSync(join(runDir, 'run.json'), '{}');
    await expect(saveTo(join(runDir, 'model'))).rejects.toThrow(`is inside the run folder ${runDir}`);
    await expect(saveTo(join(project, 'runs', 'mine'))).rejects.toThrow(`is inside the runs folder ${join(project, 'runs')}`);
    expect(readdirSync(join(runDir, 'model'))).toEqual([]);
    expect(existsSync(join(project, 'runs', 'mine'))).toBe(false);
    await saveTo(join(project, 'runs', 'mine'), true);
    expect(readdirSync(join(project, 'runs', 'mine')).sort()).toEqual([...SAVED, 'fnd.json'].sort());
  });

  it("refuses a folder inside fnd's cache even with overwrite: true", async () => {
    const cache = join(project, '.fnd');
    for (const dir of ['cache', 'locks', 'tmp']) mkdirSync(join(cache, dir), { recursive: true });
    for (const overwrite of [false, true]) {
      await expect(saveTo(join(cache, 'cache', 'ab', 'model'), overwrite)).rejects.toThrow(`is inside fnd's cache (${cache})`);
    }
    expect(existsSync(join(cache, 'cache', 'ab'))).toBe(false);
  });
});
