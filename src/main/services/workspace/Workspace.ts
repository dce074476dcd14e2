/**
 * An open workspace: its lake, its PostgreSQL and its warehouse, started in the
 * background as jobs so the UI is usable (and shows progress) at once.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import pg from 'pg';
import type { WorkspaceStatus } from '../../../shared/api/contract';
import { WorkbenchError, errorMessage } from '../../../shared/errors';
import type { JobRunner } from '../jobs/JobRunner';
import { BronzeLake } from '../lake/BronzeLake';
import type { ConnectionProfiles } from '../connections/ConnectionProfiles';
import type { LakeSetting } from '../../../shared/api/lake';
import type { CacheUsage } from '../../../shared/api/lake';
import { Warehouse, type WarehouseOptions } from '../warehouse/Warehouse';
import { EmbeddedServer } from '../postgres/EmbeddedServer';
import { detectServerMode } from '../postgres/ServerMode';
import { applyMigrations } from '../postgres/Migrations';
import { sslOptions } from '../connections/ConnectionTester';
import { generateDemoLake, isDemoLakeComplete } from '../demo/DemoLake';
import { seedDemoServer, writeDemoMetricsParquet } from '../demo/DemoMetrics';
import { ensureDemoRoles, type RoleLogin } from '../demo/DemoRoles';
import { mountPipelineMetricViews } from '../sync/metricViews';
import { insidePath } from './insidePath';
import { StartupProgress, type StartupStep } from './StartupProgress';
import { loadOrCreateWorkspaceConfig, saveWorkspaceConfig, type WorkspaceConfig } from './WorkspaceConfig';

type Phase = WorkspaceStatus['phases'][number];

type StartupStepId = 'lake' | 'cache' | 'server' | 'seed' | 'index' | 'views';

/**
 * The steps of a start-up, weighted by their seconds for the default demo on two
 * cores (lake and cache, then loading the server; the server starts meanwhile).
 */
function startupSteps(demo: boolean, embedded: boolean): StartupStep<StartupStepId>[] {
  const steps: StartupStep<StartupStepId>[] = [];
  if (demo) steps.push({ id: 'lake', title: 'Generating the demo lake', weight: 5 });
  if (demo) steps.push({ id: 'cache', title: 'Computing the local metrics cache', weight: 2.5 });
  steps.push({ id: 'views', title: 'Opening the local warehouse', weight: 0.5 });
  steps.push({ id: 'server', title: embedded ? 'Starting PostgreSQL' : 'Connecting to PostgreSQL', weight: 2.5 });
  if (demo && embedded) {
    steps.push({ id: 'seed', title: 'Loading the demo metrics into PostgreSQL', weight: 5 });
    steps.push({ id: 'index', title: 'Indexing the demo metrics in PostgreSQL', weight: 4 });
  }
  return steps;
}

/** Status events while a step reports progress: often enough to look live, not a flood. */
const PROGRESS_EMIT_MS = 250;

export interface WorkspaceOptions {
  dir: string;
  jobs: JobRunner;
  /** The workspace's connection profiles, for an S3/R2 lake. */
  connections: ConnectionProfiles;
  /** Size of a newly created demo workspace; tests use 'tiny'. */
  demoSize?: 'tiny' | 'small' | 'demo';
  warehouse?: WarehouseOptions;
  onLog?: (line: string) => void;
}

export class Workspace {
  readonly dir: string;
  private config: WorkspaceConfig;
  private readonly jobs: JobRunner;
  private readonly connections: ConnectionProfiles;
  private readonly listeners = new Set<(status: WorkspaceStatus) => void>();
  /** This run's id and the status's revision in it: raised whenever what status() says changes. */
  private readonly run = randomUUID();
  private revision = { of: '', number: 0 };
  private readonly cacheListeners = new Set<(usage: CacheUsage) => void>();
  private lakeInstance: BronzeLake | null = null;
  private lakeHealth: { online: boolean | null; notRevalidated: { key: string; message: string }[] } = {
    online: null,
    notRevalidated: [],
  };
  private offCache: (() => void) | null = null;
  /** Background work on the workspace's files that ends before it closes (see onClose). */
  private readonly closing = new Set<() => Promise<void>>();
  private remount: NodeJS.Timeout | null = null;
  private readonly phases: Phase[] = [
    { id: 'lake', title: 'Bronze lake', state: 'pending' },
    { id: 'postgres', title: 'PostgreSQL', state: 'pending' },
    { id: 'warehouse', title: 'Local warehouse', state: 'pending' },
  ];
  private postgresInfo: WorkspaceStatus['postgres'] = null;
  private embedded: EmbeddedServer | null = null;
  /** The embedded server's write role (never its superuser), for pushes the user confirmed. */
  private embeddedPusher: RoleLogin | null = null;
  private pool: pg.Pool | null = null;
  /** The server's connection settings without the read-only default: pushes build their own client from them. */
  private serverConfig: pg.ClientConfig | null = null;
  /** The PostgreSQL profile's statement timeout (the profile default for the embedded server). */
  private pgStatementTimeoutMs = 60_000;
  /** The warehouse as opened, views possibly not mounted yet: only start-up and remounts use it. */
  private openedWarehouse: Warehouse | null = null;
  /** The warehouse handed out: set once its views are mounted. */
  private warehouseInstance: Warehouse | null = null;
  /** Settles when the warehouse phase has (ready or failed). */
  private warehouseSettled: Promise<void> = Promise.resolve();
  private readonly startup: StartupProgress<StartupStepId>;
  private progressTimer: NodeJS.Timeout | null = null;
  /** Settles when every phase has finished (ready or failed). */
  readonly started: Promise<void>;

  private constructor(options: WorkspaceOptions, config: WorkspaceConfig) {
    this.dir = options.dir;
    this.config = config;
    this.jobs = options.jobs;
    this.connections = options.connections;
    this.startup = new StartupProgress(startupSteps(config.demo !== null, config.postgres.kind === 'embedded'));
    this.started = this.startAll(options);
  }

  /** Opens (or creates, as the demo) the workspace in `dir` and starts it in the background. */
  static async open(options: WorkspaceOptions): Promise<Workspace> {
    const config = await loadOrCreateWorkspaceConfig(options.dir, options.demoSize);
    return new Workspace(options, config);
  }

  onChange(listener: (status: WorkspaceStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  status(): WorkspaceStatus {
    const snapshot = this.statusSnapshot();
    const key = JSON.stringify(snapshot);
    if (key !== this.revision.of) this.revision = { of: key, number: this.revision.number + 1 };
    return { run: this.run, revision: this.revision.number, ...snapshot };
  }

  private statusSnapshot(): Omit<WorkspaceStatus, 'run' | 'revision'> {
    const states = this.phases.map((p) => p.state);
    const state = states.includes('failed')
      ? 'failed'
      : states.every((s) => s === 'ready')
        ? 'ready'
        : states.includes('running')
          ? 'running'
          : 'pending';
    return {
      workspaceDir: this.dir,
      name: this.config.name,
      isDemo: this.config.demo !== null,
      timeZone: this.config.timeZone,
      state,
      phases: this.phases.map((p) => ({ ...p })),
      startup: this.startup.view(),
      postgres: this.postgresInfo,
      lake: this.lakeInstance
        ? {
            driver: this.lakeInstance.driver,
            location: this.lakeInstance.location,
            connectionId: this.lakeInstance.connectionId,
            ...this.lakeHealth,
          }
        : null,
    };
  }

  onCacheChange(listener: (usage: CacheUsage) => void): () => void {
    this.cacheListeners.add(listener);
    return () => this.cacheListeners.delete(listener);
  }

  /** The lake, once its phase is ready. */
  lake(): BronzeLake {
    if (!this.lakeInstance) throw this.notReady('lake');
    return this.lakeInstance;
  }

  /** The demo lake's folder (generated data lives there whatever the lake setting is). */
  private get demoLakeDir(): string {
    return this.resolve('lake');
  }

  /**
   * Points the workspace at another lake (a folder, or an S3/R2 connection),
   * saves that in workspace.json and remounts the warehouse views.
   */
  async setLake(setting: LakeSetting): Promise<WorkspaceStatus> {
    if (setting.driver === 's3') {
      const profile = await this.connections.get(setting.connectionId);
      if (profile.kind !== 's3') {
        throw new WorkbenchError('bad_request', `"${profile.name}" is a PostgreSQL connection, not an S3/R2 bucket`);
      }
    }
    this.config = { ...this.config, lake: setting };
    await saveWorkspaceConfig(this.dir, this.config);
    await this.phase('lake', () => this.openLake());
    await this.mountViews();
    return this.status();
  }

  get cacheDir(): string {
    return this.resolve(this.config.cacheDir);
  }

  /**
   * The warehouse, once its views are mounted; a clear error before (a query
   * would otherwise fail on a view that does not exist yet, e.g. `metrics`).
   */
  warehouse(): Warehouse {
    if (!this.warehouseInstance) throw this.notReady('warehouse');
    return this.warehouseInstance;
  }

  /** The warehouse once its phase is ready, waiting for it while it starts; `signal` stops the wait. */
  async readyWarehouse(signal?: AbortSignal): Promise<Warehouse> {
    if (!this.warehouseInstance) {
      signal?.throwIfAborted();
      await new Promise<void>((resolve, reject) => {
        const onAbort = (): void => reject(new WorkbenchError('cancelled', 'Query cancelled'));
        signal?.addEventListener('abort', onAbort, { once: true });
        void this.warehouseSettled.finally(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        });
      });
    }
    return this.warehouse();
  }

  /** A read-only pool on the workspace's PostgreSQL (exploration never writes). */
  postgres(): pg.Pool {
    if (!this.pool) throw this.notReady('postgres');
    return this.pool;
  }

  /**
   * Settings for a push's own connection: the user and password typed for it, or the embedded server's
   * write role (the demo's, after the user confirmed). Never the exploration pool, which stays read-only.
   */
  pushClientConfig(credentials: { user: string; password: string } | 'embedded' | 'read-only'): pg.ClientConfig {
    if (!this.serverConfig) throw this.notReady('postgres');
    // A push plan only reads (its temp table is rolled back): the exploration settings.
    if (credentials === 'read-only') return { ...this.serverConfig, options: '-c default_transaction_read_only=on' };
    if (credentials === 'embedded') {
      if (!this.embeddedPusher) {
        throw new WorkbenchError(
          'bad_request',
          'This workspace does not use the embedded demo server, so its credentials cannot push.',
          "Type a PostgreSQL user and password that may write to the server's dash schema.",
        );
      }
      return { ...this.serverConfig, ...this.embeddedPusher };
    }
    return { ...this.serverConfig, user: credentials.user, password: credentials.password };
  }

  /** Live queries set this per transaction. */
  postgresStatementTimeoutMs(): number {
    return this.pgStatementTimeoutMs;
  }

  /** `finish` runs first when the workspace closes, while the warehouse is still open (e.g. a build writing files ends). */
  onClose(finish: () => Promise<void>): void {
    this.closing.add(finish);
  }

  async close(): Promise<void> {
    await this.started.catch(() => undefined);
    await Promise.all([...this.closing].map((finish) => finish().catch(() => undefined)));
    if (this.remount) clearTimeout(this.remount);
    if (this.progressTimer) clearTimeout(this.progressTimer);
    this.offCache?.();
    this.lakeInstance?.close();
    await this.openedWarehouse?.close();
    this.openedWarehouse = null;
    this.warehouseInstance = null;
    await this.pool?.end();
    this.pool = null;
    await this.embedded?.stop();
    this.embedded = null;
    this.embeddedPusher = null;
  }

  private resolve(path: string): string {
    return isAbsolute(path) ? path : join(this.dir, path);
  }

  private notReady(id: Phase['id']): WorkbenchError {
    const phase = this.phases.find((p) => p.id === id)!;
    if (phase.state === 'failed') {
      return new WorkbenchError('unavailable', `${phase.title} failed to start: ${phase.message ?? 'unknown error'}`);
    }
    return new WorkbenchError(
      'not_ready',
      `${phase.title} is still starting`,
      'Wait for the workspace to finish starting.',
    );
  }

  private setPhase(id: Phase['id'], state: Phase['state'], message?: string): void {
    const phase = this.phases.find((p) => p.id === id)!;
    phase.state = state;
    if (message === undefined) delete phase.message;
    else phase.message = message;
    this.emitStatus();
  }

  private async phase<T>(id: Phase['id'], work: () => Promise<T>): Promise<T> {
    this.setPhase(id, 'running');
    try {
      const result = await work();
      this.setPhase(id, 'ready');
      return result;
    } catch (err) {
      this.setPhase(id, 'failed', errorMessage(err));
      throw err;
    }
  }

  /**
   * Lake, then the metrics cache, then the warehouse's views: what needs only
   * the lake or the cache opens while PostgreSQL starts and loads in parallel.
   */
  private async startAll(options: WorkspaceOptions): Promise<void> {
    const log = options.onLog ?? (() => undefined);
    const lakeReady = this.phase('lake', async () => {
      const generated = await this.prepareDemoLake();
      await this.openLake();
      return generated;
    });
    const cacheReady = lakeReady.then((generated) => this.prepareDemoCache(generated));
    // Awaited later by both phases below; a failure is theirs to report.
    cacheReady.catch(() => undefined);
    const postgresReady = this.phase('postgres', () => this.startPostgres(cacheReady, log));
    const warehouseReady = this.phase('warehouse', async () => {
      this.openedWarehouse = await Warehouse.open({ dbPath: ':memory:', ...options.warehouse });
      await cacheReady;
      this.startup.update('views', 0);
      await this.mountViews();
      this.startup.complete('views');
      this.warehouseInstance = this.openedWarehouse;
    });
    this.warehouseSettled = warehouseReady.then(
      () => undefined,
      () => undefined,
    );
    const results = await Promise.allSettled([lakeReady, postgresReady, warehouseReady]);
    this.startup.end();
    this.emitStatus();
    for (const r of results) if (r.status === 'rejected') log(`workspace: ${errorMessage(r.reason)}`);
  }

  /** A start-up step moved on: the status says so, at most every PROGRESS_EMIT_MS. */
  private stepProgress(id: StartupStepId, fraction: number, detail?: string): void {
    this.startup.update(id, fraction, detail);
    if (this.progressTimer) return;
    this.progressTimer = setTimeout(() => {
      this.progressTimer = null;
      this.emitStatus();
    }, PROGRESS_EMIT_MS);
  }

  private stepDone(id: StartupStepId): void {
    this.startup.complete(id);
    this.emitStatus();
  }

  /** Opens the configured lake; an S3/R2 lake then checks its cached files in the background. */
  private async openLake(): Promise<void> {
    this.offCache?.();
    this.offCache = null;
    this.lakeInstance?.close();
    this.lakeInstance = null;
    this.lakeHealth = { online: null, notRevalidated: [] };
    const setting = this.config.lake;
    if (setting.driver === 'folder') {
      this.lakeInstance = BronzeLake.folder(this.resolve(setting.path));
      return;
    }
    const profile = await this.connections.get(setting.connectionId);
    if (profile.kind !== 's3') throw new WorkbenchError('bad_request', `"${profile.name}" is not an S3/R2 connection`);
    const { secret, note } = await this.connections.secretFor(profile);
    if (secret === null) {
      throw new WorkbenchError(
        'auth_failed',
        note ?? `No secret access key is stored for "${profile.name}"`,
        'Enter it in Connections.',
      );
    }
    const lake = BronzeLake.s3({ profile, secret, cacheDir: this.cacheDir, quotaBytes: this.config.cacheQuotaBytes });
    this.lakeInstance = lake;
    const cache = lake.requireCache();
    this.offCache = cache.onChange(() => this.cacheChanged());
    void this.revalidate().catch(() => undefined);
  }

  /** Checks cached files against the store; offline, says which could not be checked. */
  async revalidate(): Promise<{ fresh: number; stale: string[]; notRevalidated: { key: string; message: string }[] }> {
    const cache = this.lake().requireCache();
    const result = await cache.revalidate();
    const online = result.notRevalidated.length === 0 || result.fresh.length + result.stale.length > 0;
    this.lakeHealth = { online, notRevalidated: result.notRevalidated };
    this.emitStatus();
    return { fresh: result.fresh.length, stale: result.stale, notRevalidated: result.notRevalidated };
  }

  /** Records whether the store answered, from any call that reached it or failed to. */
  noteStoreReachable(online: boolean): void {
    if (this.lakeHealth.online === online) return;
    this.lakeHealth = { ...this.lakeHealth, online };
    this.emitStatus();
  }

  private cacheChanged(): void {
    // Several files land at once: remount the views once they settle.
    if (this.remount) clearTimeout(this.remount);
    this.remount = setTimeout(() => {
      this.remount = null;
      void this.mountViews().catch(() => undefined);
      void this.lakeInstance?.cache?.usage().then((usage) => {
        for (const listener of this.cacheListeners) listener(usage);
      });
    }, 200);
  }

  private emitStatus(): void {
    const status = this.status();
    for (const listener of this.listeners) listener(status);
  }

  /** For the demo: generate the lake, once (a stopped run's is replaced). True when it was generated now. */
  private async prepareDemoLake(): Promise<boolean> {
    const demo = this.config.demo;
    const lakeDir = this.demoLakeDir;
    if (!demo || isDemoLakeComplete(lakeDir)) {
      this.stepDone('lake');
      return false;
    }
    // Generating replaces the demo's pipeline folders: never through a link that leads out of the workspace.
    await insidePath(this.dir, join(lakeDir, 'bronze'));
    this.stepProgress('lake', 0);
    const job = this.jobs.start({
      kind: 'demo.generate',
      title: 'Generating the demo Bronze lake',
      unit: 'files',
      run: async (ctx) => {
        await generateDemoLake({
          dir: lakeDir,
          seed: demo.seed,
          size: demo.size,
          signal: ctx.signal,
          onProgress: (done, total, message, share) => {
            ctx.progress(done, total, message);
            this.stepProgress('lake', share, `${done} of ${total} files`);
          },
        });
      },
    });
    await job.done;
    this.stepDone('lake');
    return true;
  }

  /**
   * For the demo: the local metrics cache, computed from the lake, when it is
   * missing or the lake was just generated. True when it was written now.
   */
  private async prepareDemoCache(lakeGenerated: boolean): Promise<boolean> {
    const cacheDir = this.cacheDir;
    if (!this.config.demo || (!lakeGenerated && existsSync(join(cacheDir, 'metrics')))) {
      this.stepDone('cache');
      return false;
    }
    const lakeDir = this.demoLakeDir;
    this.stepProgress('cache', 0);
    const job = this.jobs.start({
      kind: 'demo.metrics',
      title: 'Computing the demo metrics cache',
      unit: 'pipelines',
      run: (ctx) =>
        writeDemoMetricsParquet({
          lakeDir,
          outDir: cacheDir,
          signal: ctx.signal,
          onProgress: (done, total, pipelineId) => {
            ctx.progress(done, total, pipelineId);
            this.stepProgress('cache', done / total);
          },
        }),
    });
    await job.done;
    this.stepDone('cache');
    return true;
  }

  /** `cacheReady` says whether the demo's metrics cache was written fresh from its lake in this start. */
  private async startPostgres(cacheReady: Promise<boolean>, log: (line: string) => void): Promise<void> {
    const pgConfig = this.config.postgres;
    if (this.config.demo && pgConfig.kind === 'embedded') {
      // The demo server is loaded from the cache anyway: starting it once the cache exists
      // leaves the cores to the lake and the cache, which the user can open first.
      await cacheReady.catch(() => undefined);
    }
    this.stepProgress('server', 0);
    let clientConfig: pg.ClientConfig;
    /** Why a saved password was not used, to say if the server then refuses us. */
    let secretNote: string | null = null;
    if (pgConfig.kind === 'embedded') {
      this.embedded = await EmbeddedServer.start({
        dataDir: this.resolve(pgConfig.dataDir),
        workspaceDir: this.dir,
        database: pgConfig.database,
        onLog: (line: string) => log(`postgres: ${line}`),
      });
      clientConfig = this.embedded.connectionConfig();
    } else {
      const profile = await this.connections.get(pgConfig.connectionId);
      if (profile.kind !== 'postgres') {
        throw new WorkbenchError('bad_request', `"${profile.name}" is an S3/R2 bucket, not a PostgreSQL connection`);
      }
      this.pgStatementTimeoutMs = profile.statementTimeoutMs;
      const saved = await this.connections.secretFor(profile);
      secretNote = saved.note;
      clientConfig = {
        host: profile.host,
        port: profile.port,
        database: profile.database,
        user: profile.user,
        password: saved.secret ?? undefined,
        ssl: await sslOptions(profile),
        statement_timeout: profile.statementTimeoutMs,
      };
    }

    this.stepProgress('server', 0.5);
    const admin = new pg.Client(clientConfig);
    // A dropped connection must fail this phase, not crash the process.
    admin.on('error', (err) => log(`postgres: ${err.message}`));
    try {
      await admin.connect();
    } catch (err) {
      if (secretNote === null) throw err;
      throw new WorkbenchError(
        'auth_failed',
        `${errorMessage(err)}. ${secretNote}`,
        'Enter the password in Connections.',
      );
    }
    try {
      const mode = await detectServerMode(admin);
      this.postgresInfo = {
        host: String(clientConfig.host),
        port: Number(clientConfig.port),
        database: String(clientConfig.database),
        embedded: pgConfig.kind === 'embedded',
        mode: mode.mode,
        serverVersion: mode.serverVersion,
      };
      if (this.embedded) {
        // The superuser only sets the server up: the workbench explores and pushes as the documented roles.
        await applyMigrations(admin);
        const roles = await ensureDemoRoles(admin);
        clientConfig = { ...clientConfig, ...roles.reader };
        this.embeddedPusher = roles.pusher;
      }
      this.stepDone('server');
      if (this.config.demo && this.embedded) {
        const freshCache = await cacheReady;
        this.stepProgress('seed', 0);
        const index = this.indexProgress();
        const job = this.jobs.start({
          kind: 'demo.seed',
          title: 'Loading demo metrics into PostgreSQL',
          unit: 'rows',
          run: (ctx) =>
            seedDemoServer(admin, {
              lakeDir: this.demoLakeDir,
              ...(freshCache ? { metricsDir: join(this.cacheDir, 'metrics') } : {}),
              signal: ctx.signal,
              onProgress: (done: number, total: number | null, message?: string) => {
                ctx.progress(done, total, message);
                if (message === 'Indexing metrics') index.start();
                else if (total) this.stepProgress('seed', done / total, `${Math.floor((100 * done) / total)} %`);
              },
            }),
        });
        try {
          await job.done;
        } finally {
          index.stop();
        }
      }
      this.stepDone('seed');
      this.stepDone('index');
    } finally {
      await admin.end();
    }
    this.serverConfig = clientConfig;
    this.pool = new pg.Pool({
      ...clientConfig,
      max: 4,
      // Exploration is read-only; pushes will use their own, explicit credentials.
      options: '-c default_transaction_read_only=on',
    });
    this.pool.on('error', (err) => log(`postgres pool: ${err.message}`));
  }

  /** After files in the cache changed (e.g. a metric sync): `metrics` and `metrics_<id>` follow them. */
  remountViews(): Promise<void> {
    return this.mountViews();
  }

  private async mountViews(): Promise<void> {
    const warehouse = this.openedWarehouse;
    if (!warehouse || !this.lakeInstance) return;
    const metricsDir = join(this.cacheDir, 'metrics');
    await warehouse.mountParquetViews({
      bronze: await this.lakeInstance.bronzeViews(),
      metricsGlob: existsSync(metricsDir) ? join(metricsDir, '*', '*', '*.parquet') : null,
    });
    await mountPipelineMetricViews(warehouse, metricsDir);
  }

  /**
   * PostgreSQL says nothing while it builds the indexes after the load: the
   * step's share grows with the time the load took (indexing takes about as
   * long), stopping short of done until it is.
   */
  private indexProgress(): { start(): void; stop(): void } {
    const loadStarted = Date.now();
    let timer: NodeJS.Timeout | null = null;
    return {
      start: () => {
        this.stepDone('seed');
        const started = Date.now();
        const expectedMs = Math.max(1000, 0.8 * (started - loadStarted));
        const tick = (): void => {
          this.stepProgress('index', Math.min(0.95, (Date.now() - started) / expectedMs));
          timer = setTimeout(tick, 500);
        };
        tick();
      },
      stop: () => {
        if (timer) clearTimeout(timer);
        timer = null;
      },
    };
  }
}
