export { type ColumnMap, parseColumnMap } from './column-map.ts';
export {
  type DateFormat,
  type DateOrderEvidence,
  type DateOrderVerdict,
  dateFormats,
  decideDateOrder,
  parseDate,
} from './dates.ts';
export {
  type FileError,
  type FileErrorCode,
  fileErrorCodes,
  formatImportError,
  type ImportKind,
  importKinds,
  type LayoutId,
  layoutIds,
  type MappedRecords,
  type ReferenceTable,
  type RowError,
  type RowErrorCode,
  rowErrorCodes,
} from './layout-types.ts';
export { createRowMapper, type RowMapper, type RowResult } from './map-row.ts';
export { type ImportPlan, type LayoutCandidate, type PlannedColumn, planImport } from './plan-import.ts';
