/**
 * A small, restricted pickle reader: a stack machine for the opcodes a PyTorch state dict uses
 * (protocols 2-4), which never imports or calls anything. A GLOBAL is only accepted when the
 * caller's policy allows it (PyTorch's `weights_only` idea); REDUCE / BUILD / persistent ids are
 * handed to the caller's hooks, so the only "objects" that can come out are the ones the caller
 * builds. Opcodes that create arbitrary instances (INST, OBJ, NEWOBJ, EXT*) are refused.
 */
import { FndError } from '../../util/errors.js';

export interface PickleGlobal {
  readonly kind: 'global';
  readonly module: string;
  readonly name: string;
}

export interface PickleHooks {
  /** Whether `module.name` may appear at all. Refused names stop the load with a security error. */
  allowGlobal(module: string, name: string): boolean;
  /** REDUCE: `fn(*args)` for an allowed global. */
  reduce(fn: PickleGlobal, args: unknown[]): unknown;
  /** BINPERSID: resolves a persistent id (PyTorch: a storage reference). */
  persistentLoad(pid: unknown): unknown;
  /** BUILD: `obj.__setstate__(state)`; return the object. Default: keep obj, drop state (e.g. OrderedDict._metadata). */
  build?(obj: unknown, state: unknown): unknown;
}

const MARK = Symbol('mark');

const OPCODE_NAMES: Record<number, string> = {
  0x69: 'INST', 0x6f: 'OBJ', 0x81: 'NEWOBJ', 0x92: 'NEWOBJ_EX', 0x82: 'EXT1', 0x83: 'EXT2', 0x84: 'EXT4',
};

/** Parses `bytes` as a pickle; `file` names the source in error messages. */
export function unpickle(bytes: Uint8Array, file: string, hooks: PickleHooks): unknown {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const latin1 = new TextDecoder('latin1');
  const utf8 = new TextDecoder('utf-8');
  const stack: unknown[] = [];
  const marks: number[] = [];
  const memo = new Map<number, unknown>();
  let pos = 0;

  const fail = (what: string): never => {
    throw new FndError(`cannot read ${file}: ${what} (pickle byte ${pos}); only PyTorch tensor state dicts are supported`);
  };
  const need = (n: number) => {
    if (pos + n > bytes.length) fail('the pickle is truncated');
  };
  const u8 = () => { need(1); return bytes[pos++]!; };
  const u16 = () => { need(2); const v = view.getUint16(pos, true); pos += 2; return v; };
  const u32 = () => { need(4); const v = view.getUint32(pos, true); pos += 4; return v; };
  const i32 = () => { need(4); const v = view.getInt32(pos, true); pos += 4; return v; };
  const u64 = () => { need(8); const v = Number(view.getBigUint64(pos, true)); pos += 8; return v; };
  const take = (n: number) => { need(n); const s = bytes.subarray(pos, pos + n); pos += n; return s; };
  const line = () => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) fail('an unterminated GLOBAL');
    const s = latin1.decode(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const pop = () => {
    if (stack.length === 0) fail('stack underflow');
    return stack.pop();
  };
  const top = () => {
    if (stack.length === 0) fail('stack underflow');
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const m = marks.pop();
    if (m === undefined) fail('a MARK is missing');
    return stack.splice(m!);
  };
  const makeGlobal = (module: string, name: string): PickleGlobal => {
    if (!hooks.allowGlobal(module, name)) {
      throw new FndError(
        `refusing to load ${file}: pickle references ${module}.${name}; only tensor state dicts are allowed ` +
          '(a pickle can run arbitrary code; convert the checkpoint to model.safetensors if you trust it)',
      );
    }
    return { kind: 'global', module, name };
  };
  const setItems = (target: unknown, items: unknown[]) => {
    if (!(target instanceof Map)) fail('SETITEM on something that is not a dict');
    for (let i = 0; i + 1 < items.length; i += 2) (target as Map<unknown, unknown>).set(items[i], items[i + 1]);
  };
  const appendItems = (target: unknown, items: unknown[]) => {
    if (!Array.isArray(target)) fail('APPEND on something that is not a list');
    (target as unknown[]).push(...items);
  };
  const long = (n: number): number | bigint => {
    if (n === 0) return 0;
    const b = take(n);
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
    if (b[n - 1]! & 0x80) v -= 1n << BigInt(8 * n);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  };

  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: u8(); break; // PROTO
      case 0x95: u64(); break; // FRAME: we hold the whole stream already
      case 0x2e: return pop(); // STOP
      case 0x28: marks.push(stack.length); break; // MARK
      case 0x7d: stack.push(new Map()); break; // EMPTY_DICT
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x29: stack.push(Object.freeze([])); break; // EMPTY_TUPLE
      case 0x74: stack.push(Object.freeze(popMark())); break; // TUPLE
      case 0x85: stack.push(Object.freeze([pop()])); break; // TUPLE1
      case 0x86: { const b = pop(); const a = pop(); stack.push(Object.freeze([a, b])); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); const a = pop(); stack.push(Object.freeze([a, b, c])); break; } // TUPLE3
      case 0x6c: stack.push(popMark()); break; // LIST
      case 0x64: { const m = new Map(); setItems(m, popMark()); stack.push(m); break; } // DICT
      case 0x71: memo.set(u8(), top()); break; // BINPUT
      case 0x72: memo.set(u32(), top()); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x68: case 0x6a: { // BINGET, LONG_BINGET
        const key = op === 0x68 ? u8() : u32();
        if (!memo.has(key)) fail(`memo key ${key} is missing`);
        stack.push(memo.get(key));
        break;
      }
      case 0x58: stack.push(utf8.decode(take(u32()))); break; // BINUNICODE
      case 0x8c: stack.push(utf8.decode(take(u8()))); break; // SHORT_BINUNICODE
      case 0x8d: stack.push(utf8.decode(take(u64()))); break; // BINUNICODE8
      case 0x54: stack.push(latin1.decode(take(u32()))); break; // BINSTRING
      case 0x55: stack.push(latin1.decode(take(u8()))); break; // SHORT_BINSTRING
      case 0x42: stack.push(take(u32()).slice()); break; // BINBYTES
      case 0x43: stack.push(take(u8()).slice()); break; // SHORT_BINBYTES
      case 0x4a: stack.push(i32()); break; // BININT
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: stack.push(u16()); break; // BININT2
      case 0x8a: stack.push(long(u8())); break; // LONG1
      case 0x8b: stack.push(long(u32())); break; // LONG4
      case 0x47: { need(8); stack.push(view.getFloat64(pos, false)); pos += 8; break; } // BINFLOAT
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x4e: stack.push(null); break; // NONE
      case 0x30: pop(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: stack.push(top()); break; // DUP
      case 0x63: { const module = line(); const name = line(); stack.push(makeGlobal(module, name)); break; } // GLOBAL
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL without two strings');
        stack.push(makeGlobal(module as string, name as string));
        break;
      }
      case 0x51: stack.push(hooks.persistentLoad(pop())); break; // BINPERSID
      case 0x52: { // REDUCE
        const args = pop();
        const fn = pop() as PickleGlobal;
        if (!fn || (fn as { kind?: string }).kind !== 'global') fail('REDUCE on something that is not a global');
        if (!Array.isArray(args)) fail('REDUCE without an argument tuple');
        stack.push(hooks.reduce(fn, args as unknown[]));
        break;
      }
      case 0x62: { // BUILD
        const state = pop();
        const obj = pop();
        stack.push(hooks.build ? hooks.build(obj, state) : obj);
        break;
      }
      case 0x73: { const v = pop(); const k = pop(); setItems(top(), [k, v]); break; } // SETITEM
      case 0x75: { const items = popMark(); setItems(top(), items); break; } // SETITEMS
      case 0x61: { const v = pop(); appendItems(top(), [v]); break; } // APPEND
      case 0x65: { const items = popMark(); appendItems(top(), items); break; } // APPENDS
      default: {
        pos -= 1;
        const name = OPCODE_NAMES[op];
        fail(name ? `the ${name} opcode builds arbitrary objects and is not allowed` : `unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')}`);
      }
    }
  }
}
