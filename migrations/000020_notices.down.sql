DROP TABLE IF EXISTS notice_reads;
DROP TABLE IF EXISTS notice_recipients;
DROP TABLE IF EXISTS notice_files;
DROP TABLE IF EXISTS notices;
