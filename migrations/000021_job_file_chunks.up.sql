-- An export's file is stored in chunks of at most 1 MiB (issue 10): neither
-- writing a 40 MB workbook nor sending it back needs it whole in memory.
CREATE TABLE job_file_chunks (
    job_id bigint NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    seq    integer NOT NULL CHECK (seq >= 0),
    data   bytea NOT NULL,
    PRIMARY KEY (job_id, seq)
);
INSERT INTO job_file_chunks (job_id, seq, data) SELECT id, 0, file FROM jobs WHERE file IS NOT NULL;
ALTER TABLE jobs DROP COLUMN file;
