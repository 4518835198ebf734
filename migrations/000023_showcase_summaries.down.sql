DROP TABLE IF EXISTS township_summaries;
DROP FUNCTION IF EXISTS township_summaries_guard_submitted();
DROP TABLE IF EXISTS model_cases;
