/** What the pipelines feature adds to the workbench: the pipeline editor tab and its formula language. */
import { registerTabKind } from '../../workbench/tabKinds';
import { registerFormulaLanguage } from './formulaLanguage';
import { PipelineEditor } from './PipelineEditor';
import { pipelineTabLifecycle } from './pipelineTabKind';

export function contributePipelines(): Array<() => void> {
  return [registerTabKind({ ...pipelineTabLifecycle, View: PipelineEditor }), registerFormulaLanguage()];
}
