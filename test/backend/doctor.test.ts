import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
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

// fnd's native kernels build on this machine (g++), so the auto choice is wasm-blas.
const best = 'wasm-blas';

describe('fnd doctor', () => {
  it('prints the chosen backend and why each other one is not chosen', async () => {
    const { code, out } = await runDoctor({}, {});
    expect(code).toBe(0);
    expect(out).toContain(`backend: ${best}\n`);
    expect(out).toMatch(/\n {2}tensorflow-gpu {2}not chosen: not installed \(optional package @tensorflow\/tfjs-node-gpu;/);
    expect(out).toMatch(/\n {2}tensorflow {6}not chosen: not installed \(optional package @tensorflow\/tfjs-node;/);
    expect(out).toMatch(new RegExp(`\\n  ${best.padEnd(14)}  chosen\\n`));
    expect(out).toMatch(/\n {2}cpu {13}not chosen: used only when forced/);
    expect(out).toContain(`node: ${process.version}`);
    expect(out).toMatch(/\ncores: \d+/);
    expect(out).toMatch(/\nnative kernels \(fnd-kernels\): loaded \((avx2\+fma|baseline[^,]*), GEMM (avx512f 12x32|avx2\+fma 6x16|portable [48]x8[^,]*), \d+ thread\(s\)\) from \//);
  });

  it('--json gives the same facts as data', async () => {
    const { code, out } = await runDoctor({ json: true }, { FND_BACKEND: 'wasm' });
    expect(code).toBe(0);
    const data = JSON.parse(out);
    expect(data.chosen.name).toBe('wasm');
    expect(data.forced).toBe('wasm');
    expect(data.chosen.reasons.tensorflow).toMatch(/^not requested/);
    expect(data.candidates.find((c: { name: string }) => c.name === 'tensorflow').reason).toMatch(/^not installed/);
    expect(data.node).toBe(process.version);
  });
});
