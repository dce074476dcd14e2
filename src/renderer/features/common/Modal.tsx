/**
 * A modal dialog the way every dialog here behaves: a backdrop that closes it
 * when clicked, Escape closes it, focus moves into it, and a header with the
 * title, optional badges and a close button.
 */
import { useEffect, useId, useRef, type ReactNode } from 'react';

export interface ModalProps {
  title: string;
  /** Extra classes for the dialog box, e.g. its size. */
  className: string;
  testId: string;
  closeTestId: string;
  onClose: () => void;
  /** Shown after the title, e.g. a mode badge. */
  badges?: ReactNode;
  /** Other keys the dialog answers (Escape is taken). */
  onKeyDown?: (e: KeyboardEvent) => void;
  children: ReactNode;
}

export function Modal({ title, className, testId, closeTestId, onClose, badges, onKeyDown, children }: ModalProps) {
  const titleId = useId();
  const dialogRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    dialogRef.current?.focus();
  }, []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        onClose();
      } else onKeyDown?.(e);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose, onKeyDown]);

  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        className={`modal ${className}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        data-testid={testId}
        tabIndex={-1}
        ref={dialogRef}
      >
        <header className="modal-header">
          <h2 id={titleId}>{title}</h2>
          {badges}
          <span className="toolbar-spacer" />
          <button
            type="button"
            className="icon-button"
            aria-label="Close"
            title="Close (Esc)"
            data-testid={closeTestId}
            onClick={onClose}
          >
            ×
          </button>
        </header>
        {children}
      </div>
    </div>
  );
}
