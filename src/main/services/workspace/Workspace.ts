/**
 * An open workspace: its lake, its PostgreSQL and its warehouse, started in the
 * background as jobs so the UI is usable (and shows progress) at once.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import pg from 'pg';
import type { WorkspaceStatus } from '../../../shared/api/contract';
import { WorkbenchError, errorMessage } from '../../../shared/errors';
import type { JobRunner } from '../jobs/JobRunner';
import { FolderLake } from '../lake/FolderLake';
import { Warehouse, type WarehouseOptions } from '../warehouse/Warehouse';
import { EmbeddedServer } from '../postgres/EmbeddedServer';
import { detectServerMode } from '../postgres/ServerMode';
import { applyMigrations } from '../postgres/Migrations';
import { generateDemoLake } from '../demo/DemoLake';
import { seedDemoServer, writeDemoMetricsParquet } from '../demo/DemoMetrics';
import { loadOrCreateWorkspaceConfig, type WorkspaceConfig } from './WorkspaceConfig';

type Phase = WorkspaceStatus['phases'][number];

export interface WorkspaceOptions {
  dir: string;
  jobs: JobRunner;
  /** Size of a newly created demo workspace; tests use 'tiny'. */
  demoSize?: 'tiny' | 'small' | 'demo';
  warehouse?: WarehouseOptions;
  onLog?: (line: string) => void;
}

export class Workspace {
  readonly dir: string;
  readonly config: WorkspaceConfig;
  private readonly jobs: JobRunner;
  private readonly listeners = new Set<(status: WorkspaceStatus) => void>();
  private readonly phases: Phase[] = [
    { id: 'lake', title: 'Bronze lake', state: 'pending' },
    { id: 'postgres', title: 'PostgreSQL', state: 'pending' },
    { id: 'warehouse', title: 'Local warehouse', state: 'pending' },
  ];
  private postgresInfo: WorkspaceStatus['postgres'] = null;
  private embedded: EmbeddedServer | null = null;
  private pool: pg.Pool | null = null;
  private warehouseInstance: Warehouse | null = null;
  readonly lake: FolderLake;
  /** Settles when every phase has finished (ready or failed). */
  readonly started: Promise<void>;

  private constructor(options: WorkspaceOptions, config: WorkspaceConfig) {
    this.dir = options.dir;
    this.config = config;
    this.jobs = options.jobs;
    if (config.lake.driver !== 'folder') {
      throw new WorkbenchError('bad_request', 'S3/R2 lakes are not supported by this build yet', 'Use a folder lake.');
    }
    this.lake = new FolderLake(this.resolve(config.lake.path));
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
      state,
      phases: this.phases.map((p) => ({ ...p })),
      postgres: this.postgresInfo,
      lake: { driver: 'folder', location: this.lake.root },
    };
  }

  get cacheDir(): string {
    return this.resolve(this.config.cacheDir);
  }

  /** The warehouse, once started; a clear error before. */
  warehouse(): Warehouse {
    if (!this.warehouseInstance) throw this.notReady('warehouse');
    return this.warehouseInstance;
  }

  /** A read-only pool on the workspace's PostgreSQL (exploration never writes). */
  postgres(): pg.Pool {
    if (!this.pool) throw this.notReady('postgres');
    return this.pool;
  }

  async close(): Promise<void> {
    await this.started.catch(() => undefined);
    await this.warehouseInstance?.close();
    this.warehouseInstance = null;
    await this.pool?.end();
    this.pool = null;
    await this.embedded?.stop();
    this.embedded = null;
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
    const status = this.status();
    for (const listener of this.listeners) listener(status);
  }

  private async phase(id: Phase['id'], work: () => Promise<void>): Promise<void> {
    this.setPhase(id, 'running');
    try {
      await work();
      this.setPhase(id, 'ready');
    } catch (err) {
      this.setPhase(id, 'failed', errorMessage(err));
      throw err;
    }
  }

  private async startAll(options: WorkspaceOptions): Promise<void> {
    const log = options.onLog ?? (() => undefined);
    const lakeReady = this.phase('lake', () => this.prepareLake());
    const postgresReady = this.phase('postgres', () => this.startPostgres(lakeReady, log));
    const warehouseReady = this.phase('warehouse', async () => {
      this.warehouseInstance = await Warehouse.open({ dbPath: ':memory:', ...options.warehouse });
      await lakeReady;
      await this.mountViews();
    });
    const results = await Promise.allSettled([lakeReady, postgresReady, warehouseReady]);
    for (const r of results) if (r.status === 'rejected') log(`workspace: ${errorMessage(r.reason)}`);
  }

  /** For the demo: generate the lake (once) and the local metrics cache. */
  private async prepareLake(): Promise<void> {
    const demo = this.config.demo;
    if (!demo) return;
    const lakeDir = this.lake.root;
    const cacheDir = this.cacheDir;
    if (existsSync(join(lakeDir, 'demo-manifest.json')) && existsSync(join(cacheDir, 'metrics'))) return;
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
          onProgress: (done, total, message) => ctx.progress(done, total, message),
        });
        ctx.throwIfCancelled();
        ctx.progress(0, null, 'Computing demo metrics');
        await writeDemoMetricsParquet({ lakeDir, outDir: cacheDir });
      },
    });
    await job.done;
  }

  private async startPostgres(lakeReady: Promise<void>, log: (line: string) => void): Promise<void> {
    const pgConfig = this.config.postgres;
    let clientConfig: pg.ClientConfig;
    if (pgConfig.kind === 'embedded') {
      this.embedded = await EmbeddedServer.start({
        dataDir: this.resolve(pgConfig.dataDir),
        database: pgConfig.database,
        onLog: (line: string) => log(`postgres: ${line}`),
      });
      clientConfig = this.embedded.connectionConfig();
    } else {
      clientConfig = {
        host: pgConfig.host,
        port: pgConfig.port,
        database: pgConfig.database,
        user: pgConfig.user,
        password: process.env.PGPASSWORD,
      };
    }

    const admin = new pg.Client(clientConfig);
    // A dropped connection must fail this phase, not crash the process.
    admin.on('error', (err) => log(`postgres: ${err.message}`));
    await admin.connect();
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
      if (this.config.demo && this.embedded) {
        await applyMigrations(admin);
        await lakeReady;
        const job = this.jobs.start({
          kind: 'demo.seed',
          title: 'Loading demo metrics into PostgreSQL',
          unit: 'rows',
          run: (ctx) =>
            seedDemoServer(admin, {
              lakeDir: this.lake.root,
              signal: ctx.signal,
              onProgress: (done: number, total: number | null, message?: string) => ctx.progress(done, total, message),
            }),
        });
        await job.done;
      }
    } finally {
      await admin.end();
    }
    this.pool = new pg.Pool({
      ...clientConfig,
      max: 4,
      // Exploration is read-only; pushes will use their own, explicit credentials.
      options: '-c default_transaction_read_only=on',
    });
    this.pool.on('error', (err) => log(`postgres pool: ${err.message}`));
  }

  private async mountViews(): Promise<void> {
    const listing = await this.lake.list();
    const metricsDir = join(this.cacheDir, 'metrics');
    await this.warehouse().mountParquetViews({
      bronze: listing.pipelines.map((p) => ({ pipelineId: p.pipelineId, glob: this.lake.bronzeGlob(p.pipelineId) })),
      metricsGlob: existsSync(metricsDir) ? join(metricsDir, '*', '*', '*.parquet') : null,
    });
  }
}
