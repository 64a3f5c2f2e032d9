/** Reading the entries of a zip archive (PyTorch's checkpoint container) with fflate. */
import { unzipSync } from 'fflate';
import { FndError } from '../../util/errors.js';

export function readZipEntries(bytes: Uint8Array, file: string): Map<string, Uint8Array> {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes);
  } catch (e) {
    throw new FndError(`${file} is not a readable zip archive (${(e as Error).message}); is it a complete PyTorch checkpoint?`, { cause: e });
  }
  return new Map(Object.entries(entries));
}

/** True when the bytes start with a zip local-file header ("PK\x03\x04"). */
export function looksLikeZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}
