import { createHash } from 'node:crypto';
import { type Agreement, type AgreementChange, diffAgreements, parseAgreement } from '@smarketing/core';
import { parseDocument } from 'yaml';
import { AppError } from '../../app-error.ts';
import type { Deps } from '../../deps.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { withRepos } from '../with-repos.ts';

/** A persona as a caller writes it; the agreement's checks decide whether it is valid. */
type PersonaInput = {
  id: string;
  label: string;
  description?: string | undefined;
  /** A condition over traits (and other personas), as in the agreement document. */
  match: unknown;
  team?: string | undefined;
  pains?: string[] | undefined;
};

export type Persona = Agreement['personas'][number];

type PersonaEdit =
  | { kind: 'create'; persona: PersonaInput }
  | { kind: 'update'; persona: PersonaInput }
  | { kind: 'delete'; id: string };

export type PersonaEditResult = {
  /** The agreement version the edit was made on. */
  previousVersion: number;
  /** The new version holding the edit (the previous one when nothing changed). */
  version: number;
  /** What changed, as the agreement diff; only under `personas`. */
  changes: AgreementChange[];
  /** The persona as it now stands (absent after a delete). */
  persona?: Persona;
  unchanged: boolean;
};

const maxDocumentBytes = 512 * 1024;

/** The persona as it goes into the YAML document: only the fields given, pains only when there are some. */
function toDocumentNode(input: PersonaInput): Record<string, unknown> {
  return {
    id: input.id,
    label: input.label,
    ...(input.description === undefined || input.description === ''
      ? {}
      : { description: input.description }),
    match: input.match,
    ...(input.team === undefined ? {} : { team: input.team }),
    ...(input.pains === undefined || input.pains.length === 0 ? {} : { pains: input.pains }),
  };
}

function notFound(id: string): AppError {
  return new AppError('NOT_FOUND', {
    message: `No persona "${id}" in the current agreement.`,
    details: { id },
  });
}

/**
 * Writes one persona change as a new agreement version whose only change is the personas section.
 * The current document is edited in place (its comments and layout elsewhere kept), then checked by
 * the same rules as any applied document: a persona's team must exist, a persona that routing, fit
 * or another persona refers to cannot be deleted. Optimistic concurrency: the caller names the
 * version it edited; CONFLICT when the agreement has moved on since. Audited as `agreement.apply`
 * (like any version) and `persona.<create|update|delete>` with who and what.
 */
export async function editPersonas(
  options: { workspaceId: string; expectedVersion: number; edit: PersonaEdit; editedBy: string },
  deps: Pick<Deps, 'repos' | 'clock'> & Partial<Pick<Deps, 'database'>>,
): Promise<PersonaEditResult> {
  const { edit } = options;
  const personaId = edit.kind === 'delete' ? edit.id : edit.persona.id;
  return withRepos(deps, async (repos) => {
    const latest = await repos.agreementVersions.findLatest(options.workspaceId);
    if (latest === undefined) {
      throw new AppError('NOT_FOUND', { message: 'No agreement has been applied to this workspace yet.' });
    }
    const before = parseAgreement(latest.document);
    if (!before.ok) throw new Error(`the stored agreement version ${latest.version} no longer parses`);
    const index = before.agreement.personas.findIndex((persona) => persona.id === personaId);
    if (edit.kind !== 'create' && index < 0) throw notFound(personaId);
    if (latest.version !== options.expectedVersion) {
      throw new AppError('CONFLICT', {
        message: `The agreement is at version ${latest.version}, not ${options.expectedVersion}: someone changed it meanwhile. Reload the personas and edit again.`,
        details: { expectedVersion: options.expectedVersion, currentVersion: latest.version },
      });
    }

    const document = parseDocument(latest.document);
    if (edit.kind === 'create') {
      if (index >= 0) {
        throw new AppError('CONFLICT', {
          message: `A persona "${personaId}" already exists; edit it with PUT instead.`,
          details: { id: personaId },
        });
      }
      const node = document.createNode(toDocumentNode(edit.persona));
      if (before.agreement.personas.length > 0 && document.has('personas'))
        document.addIn(['personas'], node);
      else document.set('personas', document.createNode([toDocumentNode(edit.persona)]));
    } else if (edit.kind === 'update') {
      document.setIn(['personas', index], document.createNode(toDocumentNode(edit.persona)));
    } else {
      document.deleteIn(['personas', index]);
    }
    const text = document.toString();
    if (Buffer.byteLength(text, 'utf8') > maxDocumentBytes) {
      throw new AppError('PAYLOAD_TOO_LARGE', {
        message: `An agreement document may be at most ${maxDocumentBytes} bytes.`,
      });
    }
    const after = parseAgreement(text);
    if (!after.ok) {
      throw new AppError('VALIDATION_FAILED', {
        message: `The agreement would not be valid after this change: ${after.issues
          .slice(0, 3)
          .map((issue) => `${issue.pathText}: ${issue.message}`)
          .join('; ')}. Nothing was changed.`,
        details: { issues: after.issues },
      });
    }
    const changes = diffAgreements(before.agreement, after.agreement);
    const outside = changes.filter((change) => !change.path.startsWith('personas'));
    if (outside.length > 0) {
      throw new Error(`a persona edit changed ${outside.map((change) => change.path).join(', ')}`);
    }
    const persona = after.agreement.personas.find((found) => found.id === personaId);
    if (changes.length === 0) {
      return {
        previousVersion: latest.version,
        version: latest.version,
        changes,
        ...(persona === undefined ? {} : { persona }),
        unchanged: true,
      };
    }

    const now = deps.clock();
    const checksum = createHash('sha256').update(text, 'utf8').digest('hex');
    const note = `persona ${edit.kind}: ${personaId}`;
    const stored = await repos.agreementVersions.append({
      workspaceId: options.workspaceId,
      document: text,
      parsed: after.agreement,
      checksum,
      appliedBy: options.editedBy,
      appliedAt: now,
      note,
    });
    if (stored.version !== latest.version + 1) {
      // Another version was stored between our read and our append: this edit is undone.
      throw new AppError('CONFLICT', {
        message: `The agreement moved on to version ${stored.version - 1} while this edit was made. Reload the personas and edit again.`,
        details: { expectedVersion: options.expectedVersion, currentVersion: stored.version - 1 },
      });
    }
    await recordAudit(repos, {
      workspaceId: options.workspaceId,
      actor: options.editedBy,
      action: 'agreement.apply',
      target: String(stored.version),
      detail: { version: stored.version, checksum, note },
      at: now,
    });
    await recordAudit(repos, {
      workspaceId: options.workspaceId,
      actor: options.editedBy,
      action: `persona.${edit.kind}`,
      target: personaId,
      detail: { version: stored.version, previousVersion: latest.version, changes },
      at: now,
    });
    return {
      previousVersion: latest.version,
      version: stored.version,
      changes,
      ...(persona === undefined ? {} : { persona }),
      unchanged: false,
    };
  });
}
