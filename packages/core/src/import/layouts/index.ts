import type { ImportKind, LayoutId, LayoutKindSpec } from '../layout-types.ts';
import { bankMarketingLayouts } from './bank-marketing.ts';
import { genericLayouts } from './generic.ts';
import { hubspotLayouts } from './hubspot.ts';
import { mavenCrmLayouts } from './maven-crm.ts';
import { salesforceLayouts } from './salesforce.ts';

/** Every layout and kind the importer reads, in the order detection breaks ties. */
export const layoutSpecs: readonly LayoutKindSpec[] = [
  ...hubspotLayouts,
  ...salesforceLayouts,
  ...bankMarketingLayouts,
  ...mavenCrmLayouts,
  ...genericLayouts,
];

export function findLayoutSpec(layout: LayoutId, kind: ImportKind): LayoutKindSpec | undefined {
  return layoutSpecs.find((spec) => spec.layout === layout && spec.kind === kind);
}
