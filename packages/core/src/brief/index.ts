export {
  assembleBrief,
  type Brief,
  type BriefAnnouncementInput,
  type BriefWeek,
  briefDefinitions,
  type FeedbackFact,
  type FeedbackTheme,
  type WonDeal,
} from './brief.ts';
export { resolveBriefWeek } from './brief-week.ts';
export type { BriefQuestion } from './questions.ts';
export { renderBriefHtml } from './render-html.ts';
export { renderBriefMarkdown } from './render-markdown.ts';
