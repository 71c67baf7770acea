import { type ParseAgreementResult, parseAgreement, summarizeAgreement } from '@smarketing/core';

export type AgreementCheck = ParseAgreementResult & { summary?: string };

/** Validates a document without storing anything; on success adds the readable summary. */
export function checkAgreement(options: { document: string }): AgreementCheck {
  const result = parseAgreement(options.document);
  return result.ok ? { ...result, summary: summarizeAgreement(result.agreement) } : result;
}
