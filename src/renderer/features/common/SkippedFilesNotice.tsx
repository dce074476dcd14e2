/**
 * "1 file skipped: <file>: <why>": damaged Parquet files the warehouse left out
 * of the data shown here. The rest is real; this says what is missing from it.
 */
import { describeSkippedFiles, type SkippedFile } from '../../../shared/api/lake';

export function SkippedFilesNotice({ files, missingFrom }: { files: readonly SkippedFile[]; missingFrom: string }) {
  if (files.length === 0) return null;
  const one = files.length === 1;
  return (
    <div className="skipped-files" role="status" data-testid="skipped-files" data-count={files.length}>
      <span className="skipped-files-text">⚠ {describeSkippedFiles(files)}</span>
      <span className="skipped-files-hint">
        {one ? 'Its' : 'Their'} records are missing from {missingFrom}; the other files were read.{' '}
        {one ? 'The file stays on disk' : 'The files stay on disk'} ({files.map((f) => f.path).join(', ')}):{' '}
        {one
          ? 'download it again or ask the pipeline owner to replace it.'
          : 'download them again or ask the pipeline owner to replace them.'}
      </span>
    </div>
  );
}
