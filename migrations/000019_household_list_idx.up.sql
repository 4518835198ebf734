-- The household list of a township or village in its default order (姓氏笔画)
-- reads its page straight from an index instead of walking the county's
-- stroke order and dropping other townships' rows (issue 10: the page-1
-- query read 641 rows for 50; a deep page read tens of thousands). The
-- single-column indexes they replace are their prefixes.
CREATE INDEX households_township_stroke_idx ON households (township_code, head_name COLLATE zh_stroke, id);
CREATE INDEX households_village_stroke_idx ON households (village_code, head_name COLLATE zh_stroke, id);
DROP INDEX households_township_idx;
DROP INDEX households_village_idx;
