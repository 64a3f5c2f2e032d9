/**
 * Reads `pytorch_model.bin` (torch.save's zip format, PyTorch >= 1.6): `<top>/data.pkl` is a
 * pickle of the state dict whose tensors point, through persistent ids, at raw storages stored
 * as `<top>/data/<key>`. The pickle goes through the restricted reader with a policy that
 * admits only what a state dict needs.
 */
import { FndError } from '../../util/errors.js';
import { unpickle, type PickleGlobal } from './pickle.js';
import { readZipEntries, looksLikeZip } from './zip.js';
import { DTYPE_BYTES, numel, type DType, type RawTensor, type StateDict } from './tensor.js';

const STORAGE_DTYPES: Record<string, DType> = {
  FloatStorage: 'F32', HalfStorage: 'F16', BFloat16Storage: 'BF16', DoubleStorage: 'F64',
  LongStorage: 'I64', IntStorage: 'I32', ShortStorage: 'I16', CharStorage: 'I8', ByteStorage: 'U8', BoolStorage: 'BOOL',
};

/** The globals a tensor state dict references; everything else is refused. */
export function isStateDictGlobal(module: string, name: string): boolean {
  if (module === 'collections' && name === 'OrderedDict') return true;
  if (module === 'torch._utils' && (name === '_rebuild_tensor_v2' || name === '_rebuild_parameter')) return true;
  if (module === 'torch' && Object.hasOwn(STORAGE_DTYPES, name)) return true;
  return false;
}

interface StorageRef { kind: 'storage'; dtype: DType; key: string; numel: number }
interface TensorRef { kind: 'tensor'; storage: StorageRef; offset: number; shape: number[]; stride: number[] }

function isTensorRef(v: unknown): v is TensorRef {
  return typeof v === 'object' && v !== null && (v as { kind?: string }).kind === 'tensor';
}

function intList(v: unknown, what: string, file: string): number[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0)) {
    throw new FndError(`cannot read ${file}: ${what} is not a tuple of non-negative integers`);
  }
  return v as number[];
}

/** Parses the pickle of a torch.save zip into tensor references (no tensor bytes touched yet). */
function parseStateDictPickle(pkl: Uint8Array, file: string): Map<unknown, unknown> {
  const result = unpickle(pkl, file, {
    allowGlobal: isStateDictGlobal,
    persistentLoad(pid): StorageRef {
      if (!Array.isArray(pid) || pid.length < 5 || pid[0] !== 'storage') {
        throw new FndError(`cannot read ${file}: unexpected persistent id ${JSON.stringify(pid)}`);
      }
      const [, type, key, , count] = pid as [string, PickleGlobal, unknown, unknown, unknown];
      const dtype = type && type.kind === 'global' ? STORAGE_DTYPES[type.name] : undefined;
      if (!dtype || typeof key !== 'string' || typeof count !== 'number') {
        throw new FndError(`cannot read ${file}: unexpected storage reference ${String(type?.name)} ${String(key)}`);
      }
      return { kind: 'storage', dtype, key, numel: count };
    },
    reduce(fn, args): unknown {
      if (fn.module === 'collections') return new Map();
      if (fn.name === '_rebuild_parameter') return args[0];
      if (fn.name === '_rebuild_tensor_v2') {
        const [storage, offset, size, stride] = args as [StorageRef, unknown, unknown, unknown];
        if (!storage || storage.kind !== 'storage' || typeof offset !== 'number') {
          throw new FndError(`cannot read ${file}: malformed _rebuild_tensor_v2 call`);
        }
        const shape = intList(size, 'a tensor size', file);
        const strides = intList(stride, 'a tensor stride', file);
        if (strides.length !== shape.length) throw new FndError(`cannot read ${file}: tensor size and stride differ in rank`);
        return { kind: 'tensor', storage, offset, shape, stride: strides } satisfies TensorRef;
      }
      throw new FndError(`refusing to load ${file}: pickle calls ${fn.module}.${fn.name}; only tensor state dicts are allowed`);
    },
  });
  if (!(result instanceof Map)) throw new FndError(`cannot read ${file}: the pickle holds no state dict (a dict of tensors)`);
  // Some training scripts wrap the weights: {"state_dict": {...}} / {"model": {...}}.
  for (const key of ['state_dict', 'model_state_dict', 'model']) {
    const inner = result.get(key);
    if (result.size === 1 && inner instanceof Map) return inner;
  }
  return result;
}

/** Copies a (possibly strided, offset) view of a storage into contiguous row-major bytes. */
function materialise(ref: TensorRef, storage: Uint8Array, name: string, file: string): RawTensor {
  const elem = DTYPE_BYTES[ref.storage.dtype];
  const count = numel(ref.shape);
  let maxIndex = ref.offset;
  for (let d = 0; d < ref.shape.length; d++) maxIndex += (ref.shape[d]! - 1) * ref.stride[d]!;
  if (count > 0 && (maxIndex + 1) * elem > storage.length) {
    throw new FndError(`cannot read ${file}: tensor ${name} reaches past the end of its storage (truncated file?)`);
  }
  let contiguous = true;
  for (let d = ref.shape.length - 1, expect = 1; d >= 0; d--) {
    if (ref.shape[d]! > 1 && ref.stride[d] !== expect) contiguous = false;
    expect *= ref.shape[d]!;
  }
  if (contiguous) {
    const start = ref.offset * elem;
    return { dtype: ref.storage.dtype, shape: ref.shape, bytes: storage.slice(start, start + count * elem) };
  }
  const out = new Uint8Array(count * elem);
  const index = new Array<number>(ref.shape.length).fill(0);
  for (let i = 0; i < count; i++) {
    let src = ref.offset;
    for (let d = 0; d < index.length; d++) src += index[d]! * ref.stride[d]!;
    out.set(storage.subarray(src * elem, (src + 1) * elem), i * elem);
    for (let d = index.length - 1; d >= 0; d--) {
      if (++index[d]! < ref.shape[d]!) break;
      index[d] = 0;
    }
  }
  return { dtype: ref.storage.dtype, shape: ref.shape, bytes: out };
}

export function readTorchBin(bytes: Uint8Array, file: string): StateDict {
  if (!looksLikeZip(bytes)) {
    throw new FndError(
      `cannot read ${file}: it is not a zip archive; checkpoints in PyTorch's legacy (pre-1.6) format are not supported — ` +
        're-save it with torch.save in a recent PyTorch, or convert it to model.safetensors',
    );
  }
  const entries = readZipEntries(bytes, file);
  const pklNames = [...entries.keys()].filter((n) => n === 'data.pkl' || n.endsWith('/data.pkl'));
  if (pklNames.length !== 1) throw new FndError(`cannot read ${file}: expected one data.pkl in the archive, found ${pklNames.length}`);
  const top = pklNames[0]!.slice(0, -'data.pkl'.length);
  const byteorder = entries.get(`${top}byteorder`);
  if (byteorder && new TextDecoder().decode(byteorder).trim() !== 'little') {
    throw new FndError(`cannot read ${file}: it was saved on a big-endian machine, which fnd does not support`);
  }
  const dict = parseStateDictPickle(entries.get(pklNames[0]!)!, file);
  const out: StateDict = new Map();
  for (const [name, value] of dict) {
    if (typeof name !== 'string') throw new FndError(`cannot read ${file}: a state-dict key is not a string`);
    if (!isTensorRef(value)) throw new FndError(`cannot read ${file}: entry ${name} is not a tensor`);
    const storage = entries.get(`${top}data/${value.storage.key}`);
    if (!storage) throw new FndError(`cannot read ${file}: storage ${value.storage.key} of ${name} is missing from the archive`);
    out.set(name, materialise(value, storage, name, file));
  }
  return out;
}
