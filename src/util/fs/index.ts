export { FileSink, writeFileAtomic, writeFileChunks, tempPathFor, type Chunk, type SinkOptions } from './file-sink.js';
export { fsyncDir, fsyncFile } from './fsync.js';
export { copyAtomic } from './copy.js';
export { StorageError, asStorageError, isStorageFailure, naming } from './storage-error.js';
