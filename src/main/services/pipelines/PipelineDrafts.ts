/**
 * Pipeline drafts as plain files in the workspace: `pipelines/<id>.draft.json`,
 * one per pipeline, written temp + rename so a crash never leaves half a draft.
 */
import { DraftPipelineId, PipelineDraftFile, type DraftInfo, type SaveDraftRequest } from '../../../shared/api/drafts';
import { WorkbenchError } from '../../../shared/errors';
import { readJsonFile, writeJsonFile } from '../jsonFile';
import { NamedFiles } from '../workspace/NamedFiles';

const SUFFIX = '.draft.json';

export class PipelineDrafts {
  private readonly files: NamedFiles;

  constructor(workspaceDir: string) {
    this.files = new NamedFiles(
      workspaceDir,
      'pipelines',
      SUFFIX,
      DraftPipelineId,
      'a pipeline draft',
      'Open the draft from the Pipelines list in the sidebar.',
    );
  }

  async list(): Promise<DraftInfo[]> {
    const drafts: DraftInfo[] = [];
    for (const { name } of await this.files.list()) {
      // A draft broken by hand is skipped here; reading it says what is wrong.
      const draft = await this.read(name).catch(() => null);
      if (draft) drafts.push({ pipelineId: draft.pipelineId, baseVersion: draft.baseVersion, savedAt: draft.savedAt });
    }
    return drafts;
  }

  async read(pipelineId: string): Promise<PipelineDraftFile | null> {
    const draft = await readJsonFile(this.files.fileOf(pipelineId), PipelineDraftFile, 'pipeline draft', {
      within: this.files.within,
    });
    if (draft && draft.pipelineId !== pipelineId) {
      throw new WorkbenchError(
        'bad_request',
        `The draft file for "${pipelineId}" holds the pipeline "${draft.pipelineId}"`,
        `Rename or remove ${this.files.fileOf(pipelineId)}.`,
      );
    }
    return draft;
  }

  async save(request: SaveDraftRequest): Promise<PipelineDraftFile> {
    const draft: PipelineDraftFile = { ...request, savedAt: new Date().toISOString() };
    await writeJsonFile(await this.files.writable(request.pipelineId), draft, { within: this.files.within });
    return draft;
  }

  delete(pipelineId: string): Promise<boolean> {
    return this.files.delete(pipelineId);
  }
}
