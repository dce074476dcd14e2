/** What the pipelines feature adds to the workbench: the pipeline editor tab. */
import { registerTabKind } from '../../workbench/tabKinds';
import { PipelineEditor } from './PipelineEditor';
import { pipelineTabLifecycle } from './pipelineTabKind';

export function contributePipelines(): Array<() => void> {
  return [registerTabKind({ ...pipelineTabLifecycle, View: PipelineEditor })];
}
