/**
 * How a pipeline editor tab goes: its push dialog (write credentials included),
 * engine tables, preview timer, editor state, formula models, and reprocessing
 * preview (cancelled on the server while it runs) are freed.
 */
import type { TabLifecycle } from '../../workbench/tabKinds';
import { disposeFormulaModels } from './formulaModels';
import { disposePipelineEditor } from './pipelineActions';
import { closePushPlanOf } from './pushPlanStore';
import { disposeReprocessing } from './reprocessingActions';

export const pipelineTabLifecycle: TabLifecycle<'pipeline'> = {
  kind: 'pipeline',
  dispose(tab) {
    closePushPlanOf(tab.id);
    disposePipelineEditor(tab.id);
    disposeFormulaModels(tab.id);
    disposeReprocessing(tab.id);
  },
};
