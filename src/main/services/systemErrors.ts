/**
 * Node's file-system errors (ENOSPC, EROFS, EACCES…) as WorkbenchErrors that
 * name the file or folder and say what to do, instead of a raw 500.
 */
import { WorkbenchError } from '../../shared/errors';

/** What Node puts on a failed file-system call. */
interface SystemErrorLike {
  code: string;
  path?: unknown;
  syscall?: unknown;
}

function isSystemError(err: unknown): err is Error & SystemErrorLike {
  return err instanceof Error && typeof (err as Partial<SystemErrorLike>).code === 'string';
}

/** The verb a failed call was about, for "No permission to … X". */
const VERBS: Record<string, string> = {
  open: 'open',
  mkdir: 'create the folder',
  rmdir: 'remove',
  rm: 'remove',
  unlink: 'remove',
  rename: 'rename',
  scandir: 'list',
  opendir: 'list',
  copyfile: 'copy',
  chmod: 'change',
  utime: 'change',
  symlink: 'create',
  link: 'create',
};

/** Failures of the disk itself: named by path when Node gives one (a `write` on an open file does not). */
function diskError(code: string, path: string | null): WorkbenchError | null {
  const disk = path ? `The disk holding ${path}` : 'A disk the workbench writes to';
  switch (code) {
    case 'ENOSPC':
      return new WorkbenchError('unavailable', `${disk} is full`, 'Free some space on that disk, then try again.');
    case 'EDQUOT':
      return new WorkbenchError(
        'unavailable',
        `${disk} is over your disk quota`,
        'Free some space (or ask for a larger quota), then try again.',
      );
    case 'EROFS':
      return new WorkbenchError(
        'forbidden',
        `${path ?? 'A file the workbench writes'} is on a read-only disk`,
        'Make the disk writable, or move the workspace to a writable folder, then try again.',
      );
    case 'EIO':
      return new WorkbenchError(
        'unavailable',
        `${disk} could not be read or written (input/output error)`,
        'Check the disk (it may be failing or disconnected), then try again.',
      );
    case 'EMFILE':
    case 'ENFILE':
      return new WorkbenchError(
        'unavailable',
        `Too many files are open${path ? ` to open ${path}` : ''}`,
        'Close other programs or raise the open-files limit (ulimit -n), then try again.',
      );
    default:
      return null;
  }
}

/** Failures about one path; only mapped when Node names it (EPERM from a `kill` is no file's). */
function pathError(code: string, path: string, syscall: string): WorkbenchError | null {
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return new WorkbenchError(
        'forbidden',
        `No permission to ${VERBS[syscall] ?? 'use'} ${path}`,
        'Give your user access to that folder (or clear its read-only or immutable flag), then try again.',
      );
    case 'ENOTDIR':
      return new WorkbenchError(
        'conflict',
        `A file is in the way: part of ${path} is a file where a folder is expected`,
        'Move or rename that file, then try again.',
      );
    case 'EEXIST':
      return new WorkbenchError(
        'conflict',
        syscall === 'mkdir'
          ? `A file is in the way: ${path} is a file where a folder is expected`
          : `${path} already exists`,
        'Move or rename it, then try again.',
      );
    case 'EISDIR':
      return new WorkbenchError(
        'conflict',
        `${path} is a folder where a file is expected`,
        'Move or rename that folder, then try again.',
      );
    case 'ENOENT':
      return new WorkbenchError(
        'not_found',
        `${path} does not exist`,
        'Check that it (and its folder) is still there.',
      );
    case 'EBUSY':
      return new WorkbenchError(
        'unavailable',
        `${path} is in use by another program`,
        'Close the program using it, then try again.',
      );
    case 'ENAMETOOLONG':
      return new WorkbenchError(
        'bad_request',
        `The path ${path} is too long for the file system`,
        'Use a shorter name, or move the workspace to a folder with a shorter path.',
      );
    default:
      return null;
  }
}

/**
 * A Node file-system error (ENOSPC, EROFS, EACCES…) as a sentence naming the
 * file or folder and what to do; null for anything else (network and database
 * errors keep their own handling).
 */
export function fromSystemError(err: unknown): WorkbenchError | null {
  if (!isSystemError(err)) return null;
  const path = typeof err.path === 'string' ? err.path : null;
  const syscall = typeof err.syscall === 'string' ? err.syscall : '';
  return diskError(err.code, path) ?? (path === null ? null : pathError(err.code, path, syscall));
}
