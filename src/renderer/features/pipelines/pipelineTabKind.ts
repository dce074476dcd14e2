/** How a pipeline editor tab goes: its engine tables, preview timer, editor state, formula models and reprocessing preview are freed. */
import type { TabLifecycle } from '../../workbench/tabKinds';
import { disposeFormulaModels } from './formulaModels';
import { disposePipelineEditor } from './pipelineActions';
import { forgetReprocessing } from './reprocessingStore';

export const pipelineTabLifecycle: TabLifecycle<'pipeline'> = {
  kind: 'pipeline',
  dispose(tab) {
    disposePipelineEditor(tab.id);
    disposeFormulaModels(tab.id);
    forgetReprocessing(tab.id);
  },
};
