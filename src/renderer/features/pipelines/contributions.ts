/** What the pipelines feature adds to the workbench: the pipeline editor tab. */
import { registerTabKind } from '../../workbench/tabKinds';
import { disposeFormulaModels } from './formulaModels';
import { disposePipelineEditor } from './pipelineActions';
import { PipelineEditor } from './PipelineEditor';

export function contributePipelines(): Array<() => void> {
  return [
    registerTabKind({
      kind: 'pipeline',
      View: PipelineEditor,
      dispose(tab) {
        disposePipelineEditor(tab.id);
        disposeFormulaModels(tab.id);
      },
    }),
  ];
}
