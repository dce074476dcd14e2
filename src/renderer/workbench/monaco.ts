/**
 * Monaco, trimmed: the editor core with its usual editing features and only the
 * SQL language (no TypeScript/JSON/CSS/HTML language services). One worker
 * for the editor core, bundled by Vite, never loaded from a CDN.
 */
import * as monaco from 'monaco-editor/esm/vs/editor/editor.api.js';
import 'monaco-editor/esm/vs/editor/edcore.main.js';
import 'monaco-editor/esm/vs/basic-languages/sql/sql.contribution.js';
import EditorWorker from 'monaco-editor/esm/vs/editor/editor.worker.js?worker';

self.MonacoEnvironment = { getWorker: () => new EditorWorker() };

// Monaco cancels its pending work (suggestions, highlights) when an editor goes away;
// a cancellation is not an error.
window.addEventListener('unhandledrejection', (e) => {
  if (e.reason instanceof Error && e.reason.name === 'Canceled' && e.reason.message === 'Canceled') e.preventDefault();
});

monaco.editor.defineTheme('dash-dark', {
  base: 'vs-dark',
  inherit: true,
  rules: [
    { token: 'type.sql', foreground: '4ec9b0' },
    { token: 'predefined.sql', foreground: 'dcdcaa' },
  ],
  colors: {
    'editor.background': '#1b1d21',
    'editor.lineHighlightBackground': '#23262b',
    'editorLineNumber.foreground': '#4b515a',
    'editorGutter.background': '#1b1d21',
  },
});

/**
 * Creates an editor with what every editor in the workbench shares (theme, font, no
 * minimap, widgets free to overflow the panel); `options` adds or overrides the rest.
 */
export function createEditor(
  container: HTMLElement,
  options: monaco.editor.IStandaloneEditorConstructionOptions,
): monaco.editor.IStandaloneCodeEditor {
  return monaco.editor.create(container, {
    theme: 'dash-dark',
    automaticLayout: true,
    minimap: { enabled: false },
    fontSize: 13,
    lineHeight: 20,
    fontFamily: "'JetBrains Mono', 'DejaVu Sans Mono', Menlo, Consolas, monospace",
    scrollBeyondLastLine: false,
    fixedOverflowWidgets: true,
    tabSize: 2,
    ...options,
  });
}

export { monaco };
