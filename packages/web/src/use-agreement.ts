import { useEffect, useState } from 'react';
import { api } from './api/client.ts';
import type { Agreement, AgreementVersion } from './api/types.ts';

let cached: Promise<AgreementVersion> | undefined;

/** After a new version is applied: the next page asks the server again. */
export function forgetAgreement(): void {
  cached = undefined;
}

/** The current agreement (fetched once per page load): stage labels, reps, feedback reasons. */
export function useAgreement(): AgreementVersion | undefined {
  const [version, setVersion] = useState<AgreementVersion | undefined>();
  useEffect(() => {
    cached ??= api.get<AgreementVersion>('/api/v1/agreements/current');
    let live = true;
    cached.then(
      (found) => live && setVersion(found),
      () => {
        cached = undefined;
      },
    );
    return () => {
      live = false;
    };
  }, []);
  return version;
}

/** Turns ids (stages, detours, reasons, reps; distinct in the agreement) into the agreement's labels. */
export function labelsOf(agreement: Agreement | undefined): (id: string) => string {
  const labels = new Map<string, string>();
  if (agreement) {
    for (const stage of agreement.stages) labels.set(stage.id, stage.label);
    for (const detour of agreement.detours) labels.set(detour.id, detour.label);
    for (const reason of [...agreement.feedback.rejectReasons, ...agreement.feedback.recycleReasons])
      labels.set(reason.id, reason.label);
    for (const rep of repsOf(agreement)) labels.set(rep.id, rep.name);
  }
  return (id) => labels.get(id) ?? id;
}

export function repsOf(agreement: Agreement | undefined): { id: string; name: string; team: string }[] {
  return (agreement?.teams ?? [])
    .filter((team) => team.kind === 'sales')
    .flatMap((team) => (team.reps ?? []).map((rep) => ({ id: rep.id, name: rep.name, team: team.label })));
}
