ALTER TABLE jobs ADD COLUMN file bytea;
UPDATE jobs j SET file = (SELECT string_agg(c.data, ''::bytea ORDER BY c.seq) FROM job_file_chunks c WHERE c.job_id = j.id)
WHERE EXISTS (SELECT 1 FROM job_file_chunks c WHERE c.job_id = j.id);
DROP TABLE job_file_chunks;
