CREATE INDEX households_township_idx ON households (township_code);
CREATE INDEX households_village_idx ON households (village_code);
DROP INDEX households_township_stroke_idx;
DROP INDEX households_village_stroke_idx;
