/**
 * A field labelled "(UTC)" that shows and takes UTC in the workbench's time
 * format (`2026-10-05 11:00[:30]`, or a day `2026-10-05`). A browser's
 * datetime-local or date input would show the locale's format instead
 * (`10/05/2026, 11:00 AM`), which reads as local time. A time pasted from the
 * grid, with its offset (`2026-10-05 13:00:00+02`), is taken and shown as UTC.
 *
 * `value` keeps the form the stores always had: `YYYY-MM-DDTHH:MM[:SS]` for a
 * time, `YYYY-MM-DD` for a day, '' for none.
 */
import { useEffect, useState } from 'react';
import { parseTimeInZone } from '../../../shared/gridView';
import { parseUtcInput, utcInputValue } from '../../../shared/timeZone';

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

function shown(value: string): string {
  return value.replace('T', ' ');
}

/** The stored value for what was typed; '' for nothing, null when it is not a time (or day) at all. */
function parsed(text: string, day: boolean, seconds: boolean): string | null {
  const t = text.trim();
  if (t === '') return '';
  if (day) {
    const m = DAY.exec(t);
    if (!m) return null;
    const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
    // 2026-02-31 is not a day.
    return new Date(ms).toISOString().slice(0, 10) === t ? t : null;
  }
  let ms = parseUtcInput(t);
  if (ms === null && t.length > 10) {
    const micros = parseTimeInZone(t, 'UTC');
    ms = micros === null ? null : Number(micros / 1000n);
  }
  return ms === null ? null : utcInputValue(ms, seconds).replace(' ', 'T');
}

export function UtcTimeInput({
  value,
  onChange,
  day = false,
  seconds = false,
  testId,
  className = 'form-input',
  title,
}: {
  value: string;
  onChange: (value: string) => void;
  /** A day (`YYYY-MM-DD`) instead of a time. */
  day?: boolean;
  /** Times to the second. */
  seconds?: boolean;
  testId?: string;
  className?: string;
  title?: string;
}) {
  const [draft, setDraft] = useState(() => shown(value));
  const [bad, setBad] = useState(false);
  // A value set from outside (a preset, a lineage jump) replaces what is being typed.
  useEffect(() => {
    setDraft((d) => (parsed(d, day, seconds) === value ? d : shown(value)));
    setBad(false);
  }, [value, day, seconds]);
  const format = day ? 'YYYY-MM-DD' : seconds ? 'YYYY-MM-DD HH:MM:SS' : 'YYYY-MM-DD HH:MM';
  return (
    <input
      type="text"
      className={`${className} utc-time-input${day ? ' day' : ''}${seconds ? ' seconds' : ''}${bad ? ' invalid' : ''}`}
      value={draft}
      placeholder={format}
      spellCheck={false}
      inputMode="numeric"
      aria-invalid={bad || undefined}
      data-testid={testId}
      title={bad ? `Write it as ${format}, in UTC` : (title ?? `${format}, in UTC`)}
      onChange={(e) => {
        const text = e.target.value;
        setDraft(text);
        const next = parsed(text, day, seconds);
        setBad(next === null);
        if (next !== null && next !== value) onChange(next);
      }}
      onBlur={() => {
        // Settle on how the stored value reads (e.g. a pasted offset shown as UTC).
        if (parsed(draft, day, seconds) !== null) setDraft(shown(value));
      }}
    />
  );
}
