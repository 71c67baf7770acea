-- The engine writes a score for each contact whose facts it read; the per-row key check locked
-- each contact row (about 15 % of the engine's write statement). contact_states never had one.
ALTER TABLE "scores" DROP CONSTRAINT "scores_contact_fk";
