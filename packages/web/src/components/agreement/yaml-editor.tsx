import { type RefObject, useMemo, useRef } from 'react';
import type { AgreementIssue } from '../../api/agreement-types.ts';

type Props = {
  value: string;
  onChange(value: string): void;
  issues: readonly AgreementIssue[];
  label: string;
  textareaRef: RefObject<HTMLTextAreaElement | null>;
};

/**
 * A plain-text YAML editor with line numbers; lines the server found a problem on are marked in
 * the gutter (the message is the marker's tooltip and is listed below the editor).
 */
export function YamlEditor({ value, onChange, issues, label, textareaRef }: Props) {
  const gutter = useRef<HTMLDivElement>(null);
  const lineCount = useMemo(() => value.split('\n').length, [value]);
  const byLine = useMemo(() => {
    const map = new Map<number, string[]>();
    for (const issue of issues) {
      if (issue.line === undefined) continue;
      map.set(issue.line, [...(map.get(issue.line) ?? []), issue.message]);
    }
    return map;
  }, [issues]);

  return (
    <div className="yaml-editor">
      <div className="yaml-gutter" ref={gutter} aria-hidden="true">
        {Array.from({ length: lineCount }, (_, index) => {
          const line = index + 1;
          const messages = byLine.get(line);
          return (
            <span
              key={line}
              className={messages ? 'yaml-line yaml-line-error' : 'yaml-line'}
              title={messages?.join('\n')}
            >
              {line}
            </span>
          );
        })}
      </div>
      <textarea
        ref={textareaRef}
        aria-label={label}
        className="yaml-text"
        value={value}
        spellCheck={false}
        wrap="off"
        autoCapitalize="off"
        autoCorrect="off"
        onChange={(event) => onChange(event.target.value)}
        onScroll={(event) => {
          if (gutter.current) gutter.current.scrollTop = event.currentTarget.scrollTop;
        }}
      />
    </div>
  );
}

/** Puts the cursor on a line (and column) of the editor and scrolls it into view. */
export function revealLine(textarea: HTMLTextAreaElement, line: number, column = 1): void {
  const lines = textarea.value.split('\n');
  const start = lines.slice(0, line - 1).reduce((sum, text) => sum + text.length + 1, 0);
  const length = lines[line - 1]?.length ?? 0;
  textarea.focus();
  textarea.setSelectionRange(start + Math.min(column - 1, length), start + length);
  const lineHeight = Number.parseFloat(getComputedStyle(textarea).lineHeight) || 20;
  textarea.scrollTop = Math.max(0, (line - 4) * lineHeight);
}

/**
 * The problems, each with the line it is on and a caret under its column: the errors shown where
 * they are in the document. Choosing one moves the editor's cursor there.
 */
export function IssueList({
  issues,
  document,
  kind,
  onReveal,
}: {
  issues: readonly AgreementIssue[];
  document: string;
  kind: 'problem' | 'warning';
  onReveal(issue: AgreementIssue): void;
}) {
  const lines = document.split('\n');
  return (
    <ol className={`issue-list issue-list-${kind}`} aria-label={kind === 'problem' ? 'Problems' : 'Warnings'}>
      {issues.map((issue, index) => {
        const text = issue.line === undefined ? undefined : lines[issue.line - 1];
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: issues have no id; the list is replaced whole
          <li key={index} className="issue">
            <div className="issue-head">
              {issue.line !== undefined ? (
                <button type="button" className="issue-where" onClick={() => onReveal(issue)}>
                  Line {issue.line}
                  {issue.column !== undefined ? `:${issue.column}` : ''}
                </button>
              ) : (
                <span className="issue-where">Whole document</span>
              )}
              <code className="issue-path">{issue.pathText || '(root)'}</code>
            </div>
            <p className="issue-message">{issue.message}</p>
            {text !== undefined && (
              <pre className="issue-source">
                <span className="issue-source-line">{issue.line}</span>
                {` ${text}\n`}
                <span className="issue-caret">
                  {' '.repeat(String(issue.line).length + Math.max(0, (issue.column ?? 1) - 1) + 1)}^
                </span>
              </pre>
            )}
          </li>
        );
      })}
    </ol>
  );
}
