/**
 * A full disk injected at the filesystem layer, for machines where the fault suite cannot mount a
 * small tmpfs (not root). Loaded with `node --import` (NODE_OPTIONS, so stage workers get it too).
 *
 * FND_FAULT_DISKS  JSON list of {dir, bytes, code?}: each folder behaves like a disk of that
 *                  capacity. A write that would make the files under the folder exceed it fails
 *                  with `code` (ENOSPC by default; EIO: a device failing there), after writing what
 *                  fits, as the kernel's would. code EACCES: no file there can be opened for writing.
 *
 * FND_FAULT_STALL  JSON {pattern, marker}: the first time this process opens a file whose path
 *                  matches the regular expression `pattern`, it writes its pid to `marker` and
 *                  stops dead (blocked, as if the machine froze there), for the test to SIGKILL it
 *                  at exactly that point of a stage.
 *
 * Node's fs is patched where bytes reach files: FileHandle writes, fs.write/writev (streams),
 * fs.promises.writeFile/appendFile, copyFile and cp. Usage is measured on disk each time (the
 * sum of file sizes under the folder), so several processes share one budget, as on a real disk.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { join, resolve, sep } from 'node:path';

const stall = process.env.FND_FAULT_STALL ? JSON.parse(process.env.FND_FAULT_STALL) : undefined;
if (stall) {
  const pattern = new RegExp(stall.pattern);
  const realOpen = fsp.open;
  fsp.open = async function open(path, ...rest) {
    if (pattern.test(String(path))) {
      fs.writeFileSync(stall.marker, String(process.pid));
      // Blocks this thread for good: nothing after this point of the stage happens.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
    }
    return realOpen.call(this, path, ...rest);
  };
  syncBuiltinESMExports();
}

const disks = JSON.parse(process.env.FND_FAULT_DISKS ?? '[]').map((d) => ({ root: resolve(d.dir), capacity: d.bytes, code: d.code ?? 'ENOSPC' }));
const MESSAGES = { ENOSPC: 'no space left on device', EIO: 'i/o error', EACCES: 'permission denied' };
const ERRNOS = { ENOSPC: -28, EIO: -5, EACCES: -13 };

if (disks.length > 0) {
  /** The disk a path is on, or undefined. */
  const diskOf = (path) => {
    if (typeof path !== 'string' && !(path instanceof URL) && !Buffer.isBuffer(path)) return undefined;
    const p = resolve(String(path instanceof URL ? path.pathname : path));
    return disks.find(({ root }) => p === root || p.startsWith(root + sep));
  };
  const used = (root) => {
    let total = 0;
    const walk = (dir) => {
      let names;
      try {
        names = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const entry of names) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else {
          try {
            total += fs.lstatSync(path).size;
          } catch {}
        }
      }
    };
    walk(root);
    return total;
  };
  const failure = (disk, syscall, path) =>
    Object.assign(new Error(`${disk.code}: ${MESSAGES[disk.code]}, ${syscall}`), { errno: ERRNOS[disk.code], code: disk.code, syscall, ...(path ? { path } : {}) });
  /** How many of `wanted` bytes still fit on `disk` (a short write, as the kernel does, then ENOSPC). */
  const room = (disk, wanted) => (disk === undefined ? wanted : Math.max(0, Math.min(wanted, disk.capacity - used(disk.root))));

  const handlePaths = new WeakMap();
  const fdPaths = new Map();

  const realOpen = fsp.open;
  fsp.open = async function open(path, ...rest) {
    const disk = diskOf(path);
    const writing = /[wa+]/.test(String(rest[0] ?? 'r'));
    if (disk?.code === 'EACCES' && writing) throw failure(disk, 'open', String(path));
    const handle = await realOpen.call(this, path, ...rest);
    if (disk) handlePaths.set(handle, disk);
    return handle;
  };
  const probe = await realOpen(process.execPath, 'r');
  const FileHandle = Object.getPrototypeOf(probe);
  await probe.close();

  const byteLength = (data, encoding) => (typeof data === 'string' ? Buffer.byteLength(data, encoding) : data.byteLength);
  const realWrite = FileHandle.write;
  FileHandle.write = async function write(data, ...rest) {
    const disk = handlePaths.get(this);
    if (!disk) return realWrite.call(this, data, ...rest);
    if (typeof data === 'string') data = Buffer.from(data, typeof rest[1] === 'string' ? rest[1] : 'utf8');
    const offset = typeof rest[0] === 'number' ? rest[0] : (rest[0]?.offset ?? 0);
    const length = typeof rest[1] === 'number' ? rest[1] : (rest[0]?.length ?? data.byteLength - offset);
    const fits = room(disk, length);
    if (fits === 0 && length > 0) throw failure(disk, 'write');
    return realWrite.call(this, data, offset, fits, typeof rest[2] === 'number' ? rest[2] : null);
  };
  const realHandleWriteFile = FileHandle.writeFile;
  FileHandle.writeFile = async function writeFile(data, options) {
    const n = byteLength(data, options?.encoding ?? options);
    if (room(handlePaths.get(this), n) < n) throw failure(handlePaths.get(this), 'write');
    return realHandleWriteFile.call(this, data, options);
  };
  const realWritev = FileHandle.writev;
  FileHandle.writev = async function writev(buffers, ...rest) {
    const total = buffers.reduce((n, b) => n + b.byteLength, 0);
    if (room(handlePaths.get(this), total) < total) throw failure(handlePaths.get(this), 'write');
    return realWritev.call(this, buffers, ...rest);
  };

  for (const name of ['writeFile', 'appendFile']) {
    const real = fsp[name];
    fsp[name] = async function (path, data, options) {
      const n = byteLength(data, options?.encoding ?? options);
      if (room(diskOf(path), n) < n) throw failure(diskOf(path), 'write', String(path));
      return real.call(this, path, data, options);
    };
  }
  const sourceSize = (src) => {
    try {
      const st = fs.statSync(src);
      if (!st.isDirectory()) return st.size;
      let total = 0;
      for (const entry of fs.readdirSync(src, { recursive: true })) {
        const s = fs.statSync(join(String(src), String(entry)));
        if (s.isFile()) total += s.size;
      }
      return total;
    } catch {
      return 0;
    }
  };
  for (const name of ['copyFile', 'cp']) {
    const real = fsp[name];
    fsp[name] = async function (src, dest, ...rest) {
      if (diskOf(dest) && room(diskOf(dest), sourceSize(src)) < sourceSize(src)) throw failure(diskOf(dest), name === 'cp' ? 'cp' : 'copyfile', String(dest));
      return real.call(this, src, dest, ...rest);
    };
  }

  // Callback API, used by write streams and fs.writeFile.
  const realFsOpen = fs.open;
  fs.open = function open(path, flags, mode, callback) {
    const cb = typeof flags === 'function' ? flags : typeof mode === 'function' ? mode : callback;
    const wrapped = (error, fd) => {
      if (!error && diskOf(path)) fdPaths.set(fd, diskOf(path));
      cb(error, fd);
    };
    if (typeof flags === 'function') return realFsOpen.call(this, path, wrapped);
    if (typeof mode === 'function') return realFsOpen.call(this, path, flags, wrapped);
    return realFsOpen.call(this, path, flags, mode, wrapped);
  };
  const realFsWrite = fs.write;
  fs.write = function write(fd, data, ...rest) {
    const cb = rest[rest.length - 1];
    if (fdPaths.has(fd) && typeof cb === 'function') {
      const length = typeof data === 'string' ? Buffer.byteLength(data) : typeof rest[1] === 'number' ? rest[1] : data.byteLength;
      if (room(fdPaths.get(fd), length) < length) return process.nextTick(cb, failure(fdPaths.get(fd), 'write'));
    }
    return realFsWrite.call(this, fd, data, ...rest);
  };
  const realFsWritev = fs.writev;
  fs.writev = function writev(fd, buffers, ...rest) {
    const cb = rest[rest.length - 1];
    const total = buffers.reduce((n, b) => n + b.byteLength, 0);
    if (fdPaths.has(fd) && typeof cb === 'function' && room(fdPaths.get(fd), total) < total) return process.nextTick(cb, failure(fdPaths.get(fd), 'write'));
    return realFsWritev.call(this, fd, buffers, ...rest);
  };
  const realFsClose = fs.close;
  fs.close = function close(fd, ...rest) {
    fdPaths.delete(fd);
    return realFsClose.call(this, fd, ...rest);
  };
  syncBuiltinESMExports();
}
