/**
 * Bytes → text for the table readers, in a chosen encoding, with every invalid byte located.
 *
 * Why not `TextDecoder('utf-8', { fatal: true })` alone: it throws with no position, so a
 * single bad byte in a 100 MB file could be neither found nor skipped. Here each invalid byte
 * becomes the marker INVALID_CHAR in the text (so a parser can tell which record holds it) and
 * an entry in `invalid` (its line, column and value, in order), so the reader can report
 * FILE:LINE:COL and skip exactly that record. Valid input takes the fast path (one fatal
 * decode per chunk).
 *
 * U+FDD0 is a Unicode noncharacter ("for internal use"): a file that really contains one is
 * reported the same way, as text that should not be interchanged.
 */

export type TextEncoding = 'utf-8' | 'latin1' | 'windows-1252';

export const TEXT_ENCODINGS: readonly TextEncoding[] = ['utf-8', 'latin1', 'windows-1252'];

/** Stands in the decoded text for each invalid byte. */
export const INVALID_CHAR = 0xfdd0;
const INVALID = String.fromCharCode(INVALID_CHAR);

export interface InvalidByte {
  /** 1-based line (lines counted by LF, as grep -n counts them). */
  line: number;
  /** 1-based column in characters on that line. */
  column: number;
  /** The byte's value, or -1 for a U+FDD0 noncharacter found in valid text. */
  byte: number;
}

/** Length of the well-formed UTF-8 sequence at `i` (Unicode table 3-7), 0 if the byte there starts none, -1 if `bytes` ends inside it. */
function sequenceLength(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i]!;
  if (b0 < 0x80) return 1;
  let length: number;
  let lo = 0x80;
  let hi = 0xbf;
  if (b0 >= 0xc2 && b0 <= 0xdf) length = 2;
  else if (b0 >= 0xe0 && b0 <= 0xef) {
    length = 3;
    if (b0 === 0xe0) lo = 0xa0;
    else if (b0 === 0xed) hi = 0x9f;
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    length = 4;
    if (b0 === 0xf0) lo = 0x90;
    else if (b0 === 0xf4) hi = 0x8f;
  } else return 0;
  for (let k = 1; k < length; k++) {
    if (i + k >= bytes.length) return -1;
    const b = bytes[i + k]!;
    if (k === 1 ? b < lo || b > hi : b < 0x80 || b > 0xbf) return 0;
  }
  return length;
}

/**
 * A streaming decoder. `decode(chunk)` returns the text of the complete characters so far
 * (an incomplete UTF-8 sequence at the end of a chunk waits for the next); `end()` flushes.
 * `invalid` lists the invalid bytes met so far, in order.
 */
export class LocatingDecoder {
  readonly invalid: InvalidByte[] = [];
  private carry: Uint8Array = new Uint8Array(0);
  private line = 1;
  /** Characters on the current line so far. */
  private column = 0;
  private readonly fatal: InstanceType<typeof TextDecoder>;
  private readonly lenient: InstanceType<typeof TextDecoder>;

  constructor(readonly encoding: TextEncoding) {
    this.fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    this.lenient = new TextDecoder(encoding === 'windows-1252' ? 'windows-1252' : 'utf-8', { ignoreBOM: true });
  }

  decode(chunk: Uint8Array): string {
    if (this.encoding === 'latin1') return this.track(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1'));
    if (this.encoding === 'windows-1252') return this.track(this.lenient.decode(chunk, { stream: true }));
    let bytes = chunk;
    if (this.carry.length > 0) {
      bytes = new Uint8Array(this.carry.length + chunk.length);
      bytes.set(this.carry);
      bytes.set(chunk, this.carry.length);
    }
    // Hold back a possibly incomplete sequence at the end (at most 3 bytes).
    let end = bytes.length;
    for (let back = 1; back <= 3 && bytes.length - back >= 0; back++) {
      const b = bytes[bytes.length - back]!;
      if (b < 0x80) break;
      if (b >= 0xc0) {
        if (sequenceLength(bytes, bytes.length - back) === -1) end = bytes.length - back;
        break;
      }
    }
    this.carry = bytes.slice(end);
    return this.decodeComplete(bytes.subarray(0, end));
  }

  end(): string {
    if (this.encoding === 'windows-1252') return this.track(this.lenient.decode());
    const rest = this.carry;
    this.carry = new Uint8Array(0);
    // Whatever is still held is a truncated sequence: every byte of it is invalid.
    let text = '';
    for (const byte of rest) text += this.markInvalid(byte);
    return text;
  }

  private decodeComplete(bytes: Uint8Array): string {
    try {
      const text = this.fatal.decode(bytes);
      if (!text.includes(INVALID)) return this.track(text);
    } catch {
      // Slow path below: find each invalid byte.
    }
    let out = '';
    let start = 0;
    let i = 0;
    while (i < bytes.length) {
      const length = sequenceLength(bytes, i);
      if (length > 0) {
        if (length === 3 && bytes[i] === 0xef && bytes[i + 1] === 0xb7 && bytes[i + 2] === 0x90) {
          out += this.track(this.lenient.decode(bytes.subarray(start, i)));
          out += this.markInvalid(-1);
          i += 3;
          start = i;
          continue;
        }
        i += length;
        continue;
      }
      out += this.track(this.lenient.decode(bytes.subarray(start, i)));
      out += this.markInvalid(bytes[i]!);
      i += 1;
      start = i;
    }
    out += this.track(this.lenient.decode(bytes.subarray(start)));
    return out;
  }

  private markInvalid(byte: number): string {
    this.invalid.push({ line: this.line, column: this.column + 1, byte });
    this.column++;
    return INVALID;
  }

  /** Advances the line/column position past `text` and returns it. */
  private track(text: string): string {
    let lastBreak = -1;
    for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) {
      this.line++;
      lastBreak = at;
    }
    this.column = lastBreak === -1 ? this.column + text.length : text.length - lastBreak - 1;
    return text;
  }
}

/** How an invalid byte reads in a message: `byte 0xE9` (with a hint of what it would be in latin1). */
export function describeInvalidByte(invalid: InvalidByte): string {
  if (invalid.byte < 0) return 'the noncharacter U+FDD0';
  const hex = `0x${invalid.byte.toString(16).toUpperCase().padStart(2, '0')}`;
  const asLatin1 = invalid.byte >= 0xa0 ? ` ("${String.fromCharCode(invalid.byte)}" in latin1; set encoding: latin1 or windows-1252 if the file is not UTF-8)` : '';
  return `invalid UTF-8 byte ${hex}${asLatin1}`;
}
