-- The timelines' refresh reads rows by their keys, never by scanning a table. PL/pgSQL keeps each
-- statement's plan for the session, planned for the table as it was when first run: a replay (one
-- transaction) that started with an empty `person_timelines` planned the refresh's delete as a
-- sequential scan per person of what was then a tiny table, kept that plan while the table grew to
-- a million rows, and each refresh slowed from 2 to 37 s (a first replay of 1.16M facts took 180 s
-- instead of 30 s). With sequential scans off, each statement is planned on the indexes, whatever
-- the table's size when it was planned.
ALTER FUNCTION "smarketing_refresh_person_timelines"(uuid, uuid[]) SET enable_seqscan = off;
