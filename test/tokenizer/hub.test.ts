/**
 * Hub resolution: the Hugging Face cache layout (populated here by hand, as Python would),
 * downloads into that layout from a local HTTP server that answers like the Hub, and the
 * messages when a model is neither cached nor downloadable.
 */
import { createServer, type Server } from 'node:http';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubCacheDir, resolveHubFolder } from '../../src/hub/index.js';
import { loadTokenizer } from '../../src/text/tokenizer.js';
import { VOCAB } from './helpers.js';

const COMMIT = 'a'.repeat(40);

function populateCache(hfHome: string, repo: string): string {
  const repoDir = join(hfHome, 'hub', `models--${repo.replace('/', '--')}`);
  const snapshot = join(repoDir, 'snapshots', COMMIT);
  mkdirSync(snapshot, { recursive: true });
  mkdirSync(join(repoDir, 'refs'), { recursive: true });
  writeFileSync(join(repoDir, 'refs', 'main'), COMMIT);
  writeFileSync(join(snapshot, 'vocab.txt'), readFileSync(VOCAB));
  return snapshot;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address ? address.port : 0;
}

describe('hubCacheDir', () => {
  it('follows HF_HUB_CACHE, then HF_HOME, then ~/.cache', () => {
    expect(hubCacheDir({ HF_HUB_CACHE: '/x/cache', HF_HOME: '/y' })).toBe('/x/cache');
    expect(hubCacheDir({ HF_HOME: '/y' })).toBe('/y/hub');
    expect(hubCacheDir({ XDG_CACHE_HOME: '/z' })).toBe('/z/huggingface/hub');
  });
});

describe('resolveHubFolder', () => {
  it('returns an existing path as is', async () => {
    expect(await resolveHubFolder(VOCAB, { files: ['vocab.txt'] })).toBe(VOCAB);
  });

  it('finds a Hub id in the cache layout (refs/main → snapshots/<commit>)', async () => {
    const hfHome = mkdtempSync(join(tmpdir(), 'fnd-hf-'));
    const snapshot = populateCache(hfHome, 'org/tiny-bert');
    const env = { HF_HOME: hfHome, HF_HUB_OFFLINE: '1' };
    expect(await resolveHubFolder('org/tiny-bert', { files: ['vocab.txt'], env })).toBe(snapshot);
    const tok = await loadTokenizer('org/tiny-bert', { env });
    expect(tok.encode('Hello').inputIds).toEqual([101, 7592, 102]);
    expect(tok.files).toEqual([join(snapshot, 'vocab.txt')]);
  });

  it('says where it looked and how to provide the files when offline', async () => {
    const hfHome = mkdtempSync(join(tmpdir(), 'fnd-hf-'));
    const env = { HF_HOME: hfHome, HF_HUB_OFFLINE: '1' };
    const error = await resolveHubFolder('org/absent', { files: ['vocab.txt'], env, what: 'tokenizer' }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain('"org/absent"');
    expect(message).toContain(join(hfHome, 'hub', 'models--org--absent'));
    expect(message).toContain('HF_HUB_OFFLINE is set');
    expect(message).toContain('huggingface-cli download org/absent');
  });

  it('reports an unreachable Hub in one clear message', async () => {
    const hfHome = mkdtempSync(join(tmpdir(), 'fnd-hf-'));
    // A port nothing listens on: the connection is refused at once, as it is without internet.
    const port = await freePort();
    const env = { HF_HOME: hfHome, HF_ENDPOINT: `http://127.0.0.1:${port}` };
    const error = (await loadTokenizer('org/absent', { env }).catch((e: Error) => e)) as Error;
    expect(error.name).toBe('FndError');
    expect(error.message).toContain(`download failed: cannot reach 127.0.0.1:${port} (ECONNREFUSED)`);
    expect(error.message).toContain('models--org--absent');
  });

  it('names a missing local path instead of treating it as a Hub id', async () => {
    await expect(resolveHubFolder('./no/such/vocab.txt', { files: ['vocab.txt'], what: 'tokenizer' })).rejects.toThrow('tokenizer path not found');
  });
});

/**
 * A local server that answers like the Hub for the requests @huggingface/hub makes: model info
 * (the commit a revision points to), paths-info (which files exist, their oid and size) and
 * /resolve/ downloads honouring Range, as huggingface.co does.
 */
function fakeHub(files: Record<string, Buffer>, commit: string, requests: string[]): Server {
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://hub');
    requests.push(`${req.method} ${url.pathname}`);
    if (req.method === 'GET' && url.pathname === '/api/models/org/remote/revision/main') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ _id: 'remote', id: 'org/remote', sha: commit, private: false }));
      return;
    }
    if (req.method === 'POST' && url.pathname === `/api/models/org/remote/paths-info/${commit}`) {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const { paths } = JSON.parse(body) as { paths: string[] };
        const found = paths.filter((path) => path in files).map((path) => ({ type: 'file', path, oid: `${path}-etag`, size: files[path]!.length }));
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(found));
      });
      return;
    }
    const resolve = new RegExp(`^/org/remote/resolve/${commit}/(.+)$`).exec(url.pathname);
    const content = resolve ? files[resolve[1]!] : undefined;
    if (req.method === 'GET' && content) {
      const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
      if (range) {
        const [from, to] = [Number(range[1]), Math.min(Number(range[2]), content.length - 1)];
        res.writeHead(206, { etag: `"${resolve![1]}-etag"`, 'content-range': `bytes ${from}-${to}/${content.length}`, 'content-length': to - from + 1 }).end(content.subarray(from, to + 1));
      } else {
        res.writeHead(200, { etag: `"${resolve![1]}-etag"`, 'content-length': content.length }).end(content);
      }
      return;
    }
    res.writeHead(404, { 'x-error-code': 'EntryNotFound' }).end('Entry not found');
  });
}

describe('download into the cache layout (through @huggingface/hub)', () => {
  let server: Server;
  let endpoint = '';
  const requests: string[] = [];
  const commit = 'b'.repeat(40);
  beforeAll(async () => {
    server = fakeHub({ 'vocab.txt': readFileSync(VOCAB) }, commit, requests);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('writes blobs, snapshot symlinks, refs/main and .no_exist markers, then reuses them', async () => {
    const hfHome = mkdtempSync(join(tmpdir(), 'fnd-hf-'));
    const env = { HF_HOME: hfHome, HF_ENDPOINT: endpoint };
    const progress: { loaded: number; total?: number }[] = [];
    const tok = await loadTokenizer('org/remote', { env, onProgress: (p) => progress.push(p) });
    expect(tok.encode('Hello').inputIds).toEqual([101, 7592, 102]);
    const repoDir = join(hfHome, 'hub', 'models--org--remote');
    const snapshot = join(repoDir, 'snapshots', commit);
    expect(readFileSync(join(repoDir, 'refs', 'main'), 'utf8')).toBe(commit);
    expect(lstatSync(join(snapshot, 'vocab.txt')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(repoDir, 'blobs', 'vocab.txt-etag'))).toEqual(readFileSync(VOCAB));
    expect(existsSync(join(repoDir, '.no_exist', commit, 'tokenizer.json'))).toBe(true);
    expect(existsSync(join(repoDir, '.no_exist', commit, 'tokenizer_config.json'))).toBe(true);
    expect(progress.at(-1)).toEqual({ file: 'vocab.txt', loaded: readFileSync(VOCAB).length, total: readFileSync(VOCAB).length });
    const count = requests.length;
    // Second load: served from the cache, no request.
    await loadTokenizer('org/remote', { env: { ...env, HF_HUB_OFFLINE: '1' } });
    expect(requests.length).toBe(count);
  });

  it('names the repository when the Hub does not know it', async () => {
    const hfHome = mkdtempSync(join(tmpdir(), 'fnd-hf-'));
    const error = (await loadTokenizer('org/unknown', { env: { HF_HOME: hfHome, HF_ENDPOINT: endpoint } }).catch((e: Error) => e)) as Error;
    expect(error.name).toBe('FndError');
    expect(error.message).toContain('download failed: the Hub has no model org/unknown at revision "main" (HTTP 404)');
  });
});
