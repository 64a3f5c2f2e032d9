import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { describeBackends } from '../../src/nn/backend/index.js';
import doctor from '../../src/cli/commands/doctor.js';
import type { CliIO } from '../../src/cli/command.js';

async function runDoctor(options: Record<string, boolean>, env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const chunks: Buffer[] = [];
  stdout.on('data', (c: Buffer) => chunks.push(c));
  const io: CliIO = { stdout, stderr, stdin: new PassThrough(), cwd: process.cwd(), env, isTTY: false };
  const code = await doctor.run({ options, positionals: {} }, io);
  return { code, out: Buffer.concat(chunks).toString('utf8') };
}

describe('fnd doctor', () => {
  it('prints the chosen backend and why each other one is not chosen (whatever this machine has installed)', async () => {
    const { code, out } = await runDoctor({}, {});
    expect(code).toBe(0);
    const report = describeBackends({});
    // The best candidate whose prerequisites are here is the one chosen (cpu only when forced).
    const best = report.candidates.find((c) => c.available && c.name !== 'cpu')!.name;
    expect(out).toContain(`backend: ${best}\n`);
    for (const candidate of report.candidates) {
      const line = new RegExp(`\\n  ${candidate.name.padEnd(14)}  (.*)\\n`).exec(out)?.[1];
      if (candidate.name === best) expect(line).toBe('chosen');
      else if (!candidate.available) expect(line).toBe(`not chosen: ${candidate.reason}`);
      else expect(line).toMatch(/^not chosen: /);
    }
    expect(out).toMatch(/\n {2}cpu {13}not chosen: used only when forced/);
    expect(out).toContain(`node: ${process.version}`);
    expect(out).toMatch(/\ncores: \d+/);
    // A missing native build is visible, with how to get it.
    if (report.nativeKernels.startsWith('loaded')) expect(out).toMatch(/\nnative kernels \(fnd-kernels, fnd's GEMM\): loaded \((avx2\+fma|baseline[^,]*), GEMM (avx512f 12x32|avx2\+fma 6x16|portable [48]x8[^,]*), \d+ thread\(s\)\) from \//);
    else expect(out).toMatch(/\nnative kernels: NOT LOADED: .*build them with `node .*scripts\/build-native\.mjs`/);
  });

  it('says loudly when the native kernels are not in use', async () => {
    const { out } = await runDoctor({}, { FND_NATIVE_KERNELS: '0' });
    expect(out).toContain('\nnative kernels: NOT LOADED: matrix products and training run on plain wasm, many times slower. native kernels turned off (FND_NATIVE_KERNELS=0)\n');
  });

  it('--json gives the same facts as data', async () => {
    const { code, out } = await runDoctor({ json: true }, { FND_BACKEND: 'wasm' });
    expect(code).toBe(0);
    const data = JSON.parse(out);
    expect(data.chosen.name).toBe('wasm');
    expect(data.forced).toBe('wasm');
    expect(data.chosen.reasons.tensorflow).toMatch(/^not requested/);
    const tensorflow = describeBackends({}).candidates.find((c) => c.name === 'tensorflow')!;
    expect(data.candidates.find((c: { name: string }) => c.name === 'tensorflow')).toEqual(JSON.parse(JSON.stringify(tensorflow)));
    expect(data.node).toBe(process.version);
  });
});
