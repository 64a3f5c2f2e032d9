import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * Whether a GPU tensor backend can be used in this process: tfjs-node-gpu must be installed
 * (its install downloads libtensorflow with CUDA, so it is an optional dependency) and load.
 */
export async function gpuBackendAvailable(): Promise<{ available: boolean; reason: string }> {
  try {
    require.resolve('@tensorflow/tfjs-node-gpu');
  } catch {
    return { available: false, reason: '@tensorflow/tfjs-node-gpu is not installed' };
  }
  try {
    await import('@tensorflow/tfjs-node-gpu' as string);
    return { available: true, reason: 'tfjs-node-gpu loaded' };
  } catch (error) {
    return { available: false, reason: `@tensorflow/tfjs-node-gpu failed to load: ${(error as Error).message.split('\n')[0]}` };
  }
}
