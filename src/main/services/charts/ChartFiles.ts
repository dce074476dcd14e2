/**
 * Saved charts: one plain `charts/<name>.json` per chart in the workspace, so
 * they can be shared or kept in git. Names that would leave the folder are refused.
 */
import { stat } from 'node:fs/promises';
import { ChartSpec, type SavedChartInfo } from '../../../shared/api/charts';
import { QueryName } from '../../../shared/api/queries';
import { WorkbenchError } from '../../../shared/errors';
import { readJsonFile, writeJsonFile } from '../jsonFile';
import { NamedFiles } from '../workspace/NamedFiles';

export class ChartFiles {
  private readonly files: NamedFiles;

  constructor(workspaceDir: string) {
    this.files = new NamedFiles(
      workspaceDir,
      'charts',
      '.json',
      QueryName,
      "a saved chart's name",
      'Use a plain name such as "energy this week".',
    );
  }

  async list(): Promise<SavedChartInfo[]> {
    return (await this.files.list()).map(({ name, bytes, modifiedAt }) => ({ name, bytes, modifiedAt }));
  }

  async read(name: string): Promise<{ name: string; spec: ChartSpec }> {
    // A chart file may come from anyone (shared, in git): checked like a request, named as the user sees it.
    const spec = await readJsonFile(this.files.fileOf(name), ChartSpec, 'saved chart', {
      within: this.files.within,
      shownAs: `charts/${name}.json`,
    });
    if (!spec) throw new WorkbenchError('not_found', `There is no saved chart "${name}".`, 'Refresh Saved charts.');
    return { name, spec };
  }

  async save(name: string, spec: ChartSpec): Promise<SavedChartInfo> {
    const file = await this.files.writable(name);
    await writeJsonFile(file, spec, { within: this.files.within });
    const s = await stat(file);
    return { name, bytes: s.size, modifiedAt: s.mtime.toISOString() };
  }

  delete(name: string): Promise<boolean> {
    return this.files.delete(name);
  }
}
