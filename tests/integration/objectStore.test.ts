/**
 * The two object-store drivers against real storage: the shared s3rver holding
 * the demo Bronze lake, and the same lake as a folder. Failures come from real
 * servers too (a closed port, a server that never answers, one that answers 403).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { buffer } from 'node:stream/consumers';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FolderObjectStore } from '../../src/main/services/objectStore/FolderObjectStore';
import type { ObjectInfo, ObjectStore } from '../../src/main/services/objectStore/ObjectStore';
import { S3ObjectStore } from '../../src/main/services/objectStore/S3ObjectStore';
import { describeStoreError } from '../../src/main/services/objectStore/storeErrors';
import { freePort } from '../../src/main/services/net/freePort';
import { listFiles, testS3Client, type TestServersInfo } from '../setup/TestServers';
import { failure } from '../support/failure';

const servers = inject('servers');

function s3Store(overrides: Partial<ConstructorParameters<typeof S3ObjectStore>[0]> = {}): S3ObjectStore {
  return new S3ObjectStore({ ...servers.s3, ...overrides });
}

async function lakeKeys(lakeDir: string): Promise<string[]> {
  return (await listFiles(join(lakeDir, 'bronze'))).map((path) => relative(lakeDir, path).split(sep).join('/')).sort();
}

/** Every page of a listing, checked to be in key order with no key twice. */
async function listAll(
  store: ObjectStore,
  options: { prefix: string; delimiter?: string; maxKeys?: number },
): Promise<{ objects: ObjectInfo[]; prefixes: string[]; pages: number }> {
  const objects: ObjectInfo[] = [];
  const prefixes: string[] = [];
  let token: string | null = null;
  let pages = 0;
  do {
    const page = await store.list({ ...options, token });
    if (options.maxKeys) expect(page.objects.length + page.prefixes.length).toBeLessThanOrEqual(options.maxKeys);
    objects.push(...page.objects);
    prefixes.push(...page.prefixes);
    token = page.nextToken;
    pages++;
  } while (token !== null && pages < 10_000);
  return { objects, prefixes, pages };
}

// s3rver 3.7 rolls up into a common prefix only a folder that directly holds an
// object (so `bronze/` + `/` shows no pipelines), and does not count common
// prefixes towards MaxKeys; R2 and S3 do both. Those checks run where the
// storage does them right.
type Driver = {
  name: string;
  open: (s: TestServersInfo) => ObjectStore;
  close: (store: ObjectStore) => void;
  rollsUpNestedFolders: boolean;
};
const drivers: Driver[] = [
  {
    name: 'S3ObjectStore',
    open: () => s3Store(),
    close: (store) => (store as S3ObjectStore).close(),
    rollsUpNestedFolders: false,
  },
  {
    name: 'FolderObjectStore',
    open: (s) => new FolderObjectStore(s.lakeDir),
    close: () => undefined,
    rollsUpNestedFolders: true,
  },
];

describe.each(drivers)('$name over the demo lake', ({ open, close, rollsUpNestedFolders }) => {
  let store: ObjectStore;
  let keys: string[];
  beforeAll(async () => {
    store = open(servers);
    keys = await lakeKeys(servers.lakeDir);
  });
  afterAll(() => close(store));

  it('lists pipelines, then date partitions, as common prefixes', async () => {
    const top = await store.list({ prefix: 'bronze/', delimiter: '/' });
    expect(top.objects).toEqual([]);
    if (rollsUpNestedFolders) {
      expect(top.prefixes).toEqual(['bronze/energy_meters/', 'bronze/payment_events/', 'bronze/temperature_sensors/']);
    }
    expect(top.nextToken).toBeNull();

    const days = await store.list({ prefix: 'bronze/energy_meters/', delimiter: '/' });
    const expected = [
      ...new Set(keys.filter((k) => k.startsWith('bronze/energy_meters/')).map((k) => k.split('/')[2])),
    ];
    expect(days.prefixes).toEqual(expected.map((d) => `bronze/energy_meters/${d}/`));
    expect(days.prefixes.every((p) => /^bronze\/energy_meters\/date=\d{4}-\d{2}-\d{2}\/$/.test(p))).toBe(true);

    const files = await store.list({ prefix: days.prefixes[0]!, delimiter: '/' });
    expect(files.prefixes).toEqual([]);
    expect(files.objects.map((o) => o.key)).toEqual(keys.filter((k) => k.startsWith(days.prefixes[0]!)));
  });

  it('pages through every key exactly once, in order', async () => {
    const all = await listAll(store, { prefix: 'bronze/', maxKeys: 7 });
    expect(all.pages).toBeGreaterThan(2);
    expect(all.objects.map((o) => o.key)).toEqual(keys);
    if (!rollsUpNestedFolders) return;
    // Common prefixes page too, and count towards the page size as in S3.
    const days = await listAll(store, { prefix: 'bronze/energy_meters/', delimiter: '/', maxKeys: 2 });
    expect(days.pages).toBeGreaterThan(1);
    expect(new Set(days.prefixes).size).toBe(days.prefixes.length);
    expect(days.prefixes).toEqual([...days.prefixes].sort());
    expect(days.prefixes.length).toBeGreaterThan(2);
  });

  it('lists nothing under a prefix that matches nothing', async () => {
    expect(await store.list({ prefix: 'bronze/no_such_pipeline/', delimiter: '/' })).toEqual({
      objects: [],
      prefixes: [],
      nextToken: null,
    });
  });

  it('agrees on size and ETag between list, head and get, and returns the bytes', async () => {
    const key = keys[0]!;
    const bytes = await readFile(join(servers.lakeDir, key));
    const listed = (await store.list({ prefix: key })).objects[0]!;
    const head = await store.head(key);
    expect(head.key).toBe(key);
    expect(head.size).toBe(bytes.length);
    expect(listed.size).toBe(bytes.length);
    expect(head.etag).toBe(listed.etag);
    expect(head.etag).not.toMatch(/"/);
    expect(head.lastModified.getTime()).toBeGreaterThan(0);
    const got = await store.get(key);
    if (got.notModified) throw new Error('expected a body');
    expect(got.info.etag).toBe(head.etag);
    expect(got.info.size).toBe(bytes.length);
    expect(got.contentLength).toBe(bytes.length);
    expect((await buffer(got.body)).equals(bytes)).toBe(true);
  });

  it('returns exactly the bytes of a range', async () => {
    const key = keys[1]!;
    const bytes = await readFile(join(servers.lakeDir, key));
    const got = await store.get(key, { range: { start: 4, end: 99 } });
    if (got.notModified) throw new Error('expected a body');
    expect(got.contentLength).toBe(96);
    expect(got.info.size).toBe(bytes.length);
    expect((await buffer(got.body)).equals(bytes.subarray(4, 100))).toBe(true);
    // The Parquet footer: the last 8 bytes, asked for by absolute offsets.
    const tail = await store.get(key, { range: { start: bytes.length - 8, end: bytes.length - 1 } });
    if (tail.notModified) throw new Error('expected a body');
    expect((await buffer(tail.body)).toString('latin1', 4)).toBe('PAR1');
  });

  it('answers notModified for the current ETag and the body for another', async () => {
    const key = keys[2]!;
    const { etag, size } = await store.head(key);
    expect(await store.get(key, { ifNoneMatch: etag })).toEqual({ notModified: true, info: null, body: null });
    const changed = await store.get(key, { ifNoneMatch: '0123456789abcdef0123456789abcdef' });
    if (changed.notModified) throw new Error('expected a body');
    expect((await buffer(changed.body)).length).toBe(size);
  });

  it('says not_found for a missing key', async () => {
    const key = 'bronze/energy_meters/date=1999-01-01/nothing.parquet';
    const onGet = await failure(() => store.get(key));
    expect(onGet.code).toBe('not_found');
    expect(onGet.message).toContain(key);
    expect((await failure(() => store.head(key))).code).toBe('not_found');
  });

  it('stops when cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    expect((await failure(() => store.list({ prefix: 'bronze/', signal: controller.signal }))).code).toBe('cancelled');
  });
});

/** S3's documented listing rules over a set of keys, every page flattened. */
function s3Listing(keys: string[], prefix: string, delimiter?: string): { objects: string[]; prefixes: string[] } {
  const objects: string[] = [];
  const prefixes: string[] = [];
  // S3 orders keys by their UTF-8 bytes.
  for (const key of [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)))) {
    if (!key.startsWith(prefix)) continue;
    const at = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
    if (at < 0) objects.push(key);
    else if (prefixes.at(-1) !== key.slice(0, at + delimiter!.length))
      prefixes.push(key.slice(0, at + delimiter!.length));
  }
  return { objects, prefixes };
}

/** A new folder holding a file per key, each file's bytes its key. */
async function folderOfKeys(name: string, keys: readonly string[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), name));
  for (const key of keys) {
    await mkdir(join(dir, ...key.split('/').slice(0, -1)), { recursive: true });
    await writeFile(join(dir, ...key.split('/')), key);
  }
  return dir;
}

describe('FolderObjectStore follows S3 listing rules on odd keys', () => {
  // '-' sorts before '/', so a folder's entries sorted by name are not in key
  // order; `=` as a delimiter rolls several folders into one prefix. (s3rver
  // gets both wrong: it lists in folder-walk order.)
  const keys = ['a-b', 'a/b.parquet', 'a/c/d.parquet', 'a/c=1/e.parquet', 'a0', 'b/x=1/y=2/z', 'b/x=1/z', 'b/x=2/z'];
  let dir: string;
  let folder: FolderObjectStore;

  beforeAll(async () => {
    dir = await folderOfKeys('dash-objectstore-', keys);
    // Not objects: staging files, and a folder with nothing in it.
    await writeFile(join(dir, 'a', '.hidden'), 'x');
    await writeFile(join(dir, 'a', 'partial.parquet.tmp'), 'x');
    await mkdir(join(dir, 'empty', 'deeper'), { recursive: true });
    folder = new FolderObjectStore(dir);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each([
    { prefix: '' },
    { prefix: '', delimiter: '/' },
    { prefix: 'a', delimiter: '/' },
    { prefix: 'a/', delimiter: '/' },
    { prefix: 'a/c', delimiter: '/' },
    { prefix: '', delimiter: '=' },
    { prefix: 'b/', delimiter: '=' },
    { prefix: 'b/x=1/', delimiter: '/' },
    { prefix: '', maxKeys: 2 },
    { prefix: '', delimiter: '/', maxKeys: 1 },
    { prefix: 'a/', delimiter: '/', maxKeys: 1 },
    { prefix: '', delimiter: '=', maxKeys: 1 },
  ])('%o', async (options) => {
    const expected = s3Listing(keys, options.prefix, options.delimiter);
    const listed = await listAll(folder, options);
    expect(listed.objects.map((o) => o.key)).toEqual(expected.objects);
    expect(listed.prefixes).toEqual(expected.prefixes);
    expect(listed.objects.map((o) => o.size)).toEqual(expected.objects.map((k) => Buffer.byteLength(k)));
    const entries = expected.objects.length + expected.prefixes.length;
    expect(listed.pages).toBe(Math.max(1, Math.ceil(entries / (options.maxKeys ?? 1000))));
  });
});

describe('FolderObjectStore lists a lake of many day folders, read ahead of its walk', () => {
  // More folders than it reads ahead at each level, with files and folders side by side.
  const keys = ['bronze/a.txt'];
  for (const pipeline of ['gas', 'meters', 'water'])
    for (let day = 1; day <= 21; day++)
      for (const file of ['batch-1.parquet', 'batch-2.parquet'])
        keys.push(`bronze/${pipeline}/date=2026-01-${String(day).padStart(2, '0')}/${file}`);
  keys.sort();
  let dir: string;
  let folder: FolderObjectStore;

  beforeAll(async () => {
    dir = await folderOfKeys('dash-objectstore-days-', keys);
    folder = new FolderObjectStore(dir);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each([
    { prefix: '' },
    { prefix: 'bronze/' },
    { prefix: 'bronze/meters/' },
    { prefix: 'bronze/meters/date=2026-01-1' },
    { prefix: 'bronze/', delimiter: '/' },
    { prefix: 'bronze/water/', delimiter: '/', maxKeys: 4 },
    { prefix: 'bronze/', maxKeys: 7 },
    { prefix: '', maxKeys: 1 },
  ])('%o', async (options) => {
    const expected = s3Listing(keys, options.prefix, options.delimiter);
    const listed = await listAll(folder, options);
    expect(listed.objects.map((o) => o.key)).toEqual(expected.objects);
    expect(listed.prefixes).toEqual(expected.prefixes);
  });
});

interface OwnS3rver {
  dir: string;
  bucket: string;
  endpoint: string;
  stop(): Promise<void>;
}

/** An s3rver of this file's own (same script as the shared one), on an empty folder. */
async function startOwnS3rver(bucket: string): Promise<OwnS3rver> {
  const dir = await mkdtemp(join(tmpdir(), 'dash-objectstore-s3-'));
  const script = fileURLToPath(new URL('../setup/s3rverProcess.mjs', import.meta.url));
  const child = spawn(process.execPath, ['--openssl-legacy-provider', script, dir, bucket], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const line = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`s3rver exited early with code ${code}`)));
    createInterface({ input: child.stdout! }).once('line', resolve);
  });
  const { port } = JSON.parse(line) as { port: number };
  return {
    dir,
    bucket,
    endpoint: `http://127.0.0.1:${port}`,
    async stop() {
      child.stdin?.end();
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const ONE_BYTE_MD5 = createHash('md5').update('x').digest('hex');

/**
 * Stores one-byte objects by writing s3rver's own files, as its PutObject does:
 * 20,000 PUTs through s3rver take 35-80 s on this machine, files take a few
 * seconds. The layout is checked against a real PUT first, so a new s3rver
 * that stores objects differently fails here rather than listing nothing.
 */
async function putIntoS3rverDir(server: OwnS3rver, keys: string[]): Promise<void> {
  const pathOf = (key: string, resource: string): string => {
    const parts = key.split('/');
    return join(server.dir, server.bucket, ...parts.slice(0, -1), `${parts.at(-1)}._S3rver_${resource}`);
  };
  const client = testS3Client({ ...servers.s3, endpoint: server.endpoint, bucket: server.bucket });
  try {
    await client.send(new PutObjectCommand({ Bucket: server.bucket, Key: keys[0], Body: 'x' }));
  } finally {
    client.destroy();
  }
  const metadata = await readFile(pathOf(keys[0]!, 'metadata.json'), 'utf8');
  expect(await readFile(pathOf(keys[0]!, 'object'), 'utf8')).toBe('x');
  expect(await readFile(pathOf(keys[0]!, 'object.md5'), 'utf8')).toBe(ONE_BYTE_MD5);
  const dirs = new Set(keys.map((key) => dirname(pathOf(key, 'object'))));
  for (const dir of dirs) await mkdir(dir, { recursive: true });
  let next = 1;
  const worker = async (): Promise<void> => {
    while (next < keys.length) {
      const key = keys[next++]!;
      await writeFile(pathOf(key, 'object'), 'x');
      await writeFile(pathOf(key, 'object.md5'), ONE_BYTE_MD5);
      await writeFile(pathOf(key, 'metadata.json'), metadata);
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
}

describe('S3ObjectStore', () => {
  it('pages through 20,000 objects, 1000 a page, each key once and in order', { timeout: 120_000 }, async () => {
    const bulk = await startOwnS3rver('dash-bulk');
    const keys = Array.from(
      { length: 20_000 },
      (_, i) =>
        `bronze/bulk/date=2026-01-${String(1 + Math.floor(i / 1000)).padStart(2, '0')}/part-${String(i).padStart(5, '0')}.parquet`,
    );
    const store = s3Store({ endpoint: bulk.endpoint, bucket: 'dash-bulk' });
    try {
      await putIntoS3rverDir(bulk, keys);
      const all = await listAll(store, { prefix: 'bronze/', maxKeys: 1000 });
      expect(all.pages).toBe(20);
      expect(all.objects.map((o) => o.key)).toEqual(keys);
      expect(all.objects.every((o) => o.size === 1 && o.etag === ONE_BYTE_MD5)).toBe(true);
      const days = await store.list({ prefix: 'bronze/bulk/', delimiter: '/' });
      expect(days.prefixes).toHaveLength(20);
      const got = await store.get(keys[12_345]!);
      if (got.notModified) throw new Error('expected a body');
      expect((await buffer(got.body)).toString()).toBe('x');
    } finally {
      store.close();
      await bulk.stop();
    }
  });

  it('says the access key is unknown, by name, when s3rver refuses it', async () => {
    // s3rver checks the access key id but not SigV4 signatures, so a wrong secret
    // passes there; SignatureDoesNotMatch is tested against the 403 server below.
    const store = s3Store({ accessKeyId: 'NOT-S3RVER' });
    try {
      for (const call of [() => store.list({ prefix: 'bronze/' }), () => store.get('bronze/anything')]) {
        const err = await failure(call);
        expect(err.code).toBe('auth_failed');
        expect(err.message).toBe('s3://dash-bronze refused the credentials (InvalidAccessKeyId).');
        expect(err.hint).toMatch(/access key/);
      }
    } finally {
      store.close();
    }
  });

  describe('against a server that answers 403 with the S3 error named by the bucket', () => {
    let server: HttpServer;
    let endpoint: string;
    beforeAll(async () => {
      server = createHttpServer((req, res) => {
        const code = (req.url ?? '').split('/')[1] === 'bad-signature' ? 'SignatureDoesNotMatch' : 'AccessDenied';
        const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>No</Message></Error>`;
        res.writeHead(403, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(body) });
        res.end(req.method === 'HEAD' ? undefined : body);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const address = server.address();
      endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('says there is no permission, for listing and for a key', async () => {
      const store = s3Store({ endpoint });
      try {
        const onList = await failure(() => store.list({ prefix: 'bronze/' }));
        expect(onList.code).toBe('forbidden');
        expect(onList.message).toBe('The credentials have no permission for s3://dash-bronze.');
        const onGet = await failure(() => store.get('bronze/x.parquet'));
        expect(onGet.code).toBe('forbidden');
        expect(onGet.message).toContain('bronze/x.parquet');
        // A HEAD answer has no body: only its status says 403.
        expect((await failure(() => store.head('bronze/x.parquet'))).code).toBe('forbidden');
      } finally {
        store.close();
      }
    });

    it('says the secret is wrong', async () => {
      const store = s3Store({ endpoint, bucket: 'bad-signature' });
      try {
        const err = await failure(() => store.list({ prefix: 'bronze/' }));
        expect(err.code).toBe('auth_failed');
        expect(err.message).toBe('s3://bad-signature refused the credentials (SignatureDoesNotMatch).');
      } finally {
        store.close();
      }
    });
  });

  it('says the bucket is missing', async () => {
    const store = s3Store({ bucket: 'no-such-bucket' });
    try {
      const err = await failure(() => store.list({ prefix: 'bronze/' }));
      expect(err.code).toBe('store_not_found');
      expect(err.message).toBe('The bucket of s3://no-such-bucket does not exist.');
      expect((await failure(() => store.get('bronze/x.parquet'))).code).toBe('store_not_found');
    } finally {
      store.close();
    }
  });

  it('says the connection was refused, at once', async () => {
    const port = await freePort();
    const store = s3Store({ endpoint: `http://127.0.0.1:${port}` });
    try {
      const started = Date.now();
      const err = await failure(() => store.list({ prefix: 'bronze/' }));
      expect(err.code).toBe('offline');
      expect(err.message).toBe(`s3://dash-bronze refused the connection at 127.0.0.1:${port}.`);
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      store.close();
    }
  });

  it('says the host name cannot be resolved', async () => {
    const store = s3Store({ endpoint: 'http://no-such-host.invalid:9000' });
    try {
      const err = await failure(() => store.list({ prefix: 'bronze/' }));
      expect(err.code).toBe('offline');
      expect(err.message).toContain('Cannot resolve no-such-host.invalid');
      expect(err.hint).toBeTruthy();
    } finally {
      store.close();
    }
  });

  it('says TLS failed when the endpoint does not speak HTTPS', async () => {
    const store = s3Store({ endpoint: servers.s3.endpoint.replace('http:', 'https:') });
    try {
      const err = await failure(() => store.list({ prefix: 'bronze/' }));
      expect(err.code).toBe('tls_failed');
      expect(err.hint).toMatch(/https/);
    } finally {
      store.close();
    }
  });

  it('errors a body that stalls mid-download within the timeout, and says timeout', async () => {
    // Headers and 10 of 100 bytes, then silence: a network that went away mid-file.
    const sockets = new Set<Socket>();
    const server = createNetServer((socket) => {
      sockets.add(socket);
      socket.once('data', () =>
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\nETag: "abc"\r\n\r\n0123456789'),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const store = s3Store({
      endpoint: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
      requestTimeoutMs: 1500,
    });
    try {
      const got = await store.get('bronze/x.parquet');
      if (got.notModified) throw new Error('expected a body');
      const started = Date.now();
      const err = await buffer(got.body).then(
        () => null,
        (e: unknown) => e,
      );
      expect(Date.now() - started).toBeLessThan(2500);
      // Body errors are emitted by the stream, so the reader describes them.
      const described = describeStoreError(err, store.description, { key: 'bronze/x.parquet', timeoutMs: 1500 });
      expect(described.code).toBe('timeout');
      expect(described.message).toBe('s3://dash-bronze did not answer within 1.5 s.');
    } finally {
      store.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  describe('against a server that accepts the connection and never answers', () => {
    let server: NetServer;
    const sockets = new Set<Socket>();
    let endpoint: string;
    beforeAll(async () => {
      server = createNetServer((socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const address = server.address();
      endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    });
    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it('times out within the configured time and says so', async () => {
      const store = s3Store({ endpoint, requestTimeoutMs: 1500 });
      try {
        for (const call of [() => store.list({ prefix: 'bronze/' }), () => store.get('bronze/x.parquet')]) {
          const started = Date.now();
          const err = await failure(call);
          const elapsed = Date.now() - started;
          expect(err.code).toBe('timeout');
          expect(err.message).toBe('s3://dash-bronze did not answer within 1.5 s.');
          expect(elapsed).toBeGreaterThanOrEqual(1400);
          expect(elapsed).toBeLessThan(2500);
        }
      } finally {
        store.close();
      }
    });

    it('says cancelled, not timeout, when the caller cancels', async () => {
      const store = s3Store({ endpoint, requestTimeoutMs: 10_000 });
      try {
        const started = Date.now();
        const err = await failure(() => store.list({ prefix: 'bronze/', signal: AbortSignal.timeout(200) }));
        expect(err.code).toBe('cancelled');
        expect(Date.now() - started).toBeLessThan(2000);
      } finally {
        store.close();
      }
    });
  });
});

describe('FolderObjectStore', () => {
  it('refuses keys that could leave the lake folder', async () => {
    const store = new FolderObjectStore(join(servers.lakeDir, 'bronze'));
    for (const key of [
      '../workspace.json',
      'energy_meters/../../x',
      '/etc/passwd',
      'a/./b',
      'a//b',
      'a\0b',
      'a\\..\\b',
      '',
    ]) {
      const onGet = await failure(() => store.get(key));
      expect(onGet.code).toBe('bad_request');
      expect((await failure(() => store.head(key))).code).toBe('bad_request');
    }
  });

  it('says the lake folder is missing, for listing and for reading', async () => {
    const root = join(servers.root, 'no-such-lake');
    const store = new FolderObjectStore(root);
    const onList = await failure(() => store.list({ prefix: 'bronze/', delimiter: '/' }));
    expect(onList.code).toBe('store_not_found');
    expect(onList.message).toBe(`The lake folder ${root} does not exist.`);
    expect((await failure(() => store.get('bronze/x.parquet'))).code).toBe('store_not_found');
    expect((await failure(() => store.head('bronze/x.parquet'))).code).toBe('store_not_found');
  });

  it('refuses a continuation token it did not give out', async () => {
    const store = new FolderObjectStore(servers.lakeDir);
    expect((await failure(() => store.list({ prefix: '', token: 'not a token!' }))).code).toBe('bad_request');
  });

  it('changes the ETag when a file is rewritten', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dash-objectstore-'));
    try {
      const store = new FolderObjectStore(dir);
      await writeFile(join(dir, 'f.parquet'), 'one');
      const before = await store.head('f.parquet');
      await new Promise((resolve) => setTimeout(resolve, 20));
      await writeFile(join(dir, 'f.parquet'), 'two!');
      const after = await store.head('f.parquet');
      expect(after.etag).not.toBe(before.etag);
      const got = await store.get('f.parquet', { ifNoneMatch: before.etag });
      if (got.notModified) throw new Error('expected a body');
      expect((await buffer(got.body)).toString()).toBe('two!');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
