-- Two units in use may not share a name (they would be told apart nowhere:
-- the pairing tab, the evaluation and the lists show the name only); this
-- also makes a double-submitted registration create one unit.
CREATE UNIQUE INDEX deputies_unit_name_idx ON deputies (name) WHERE kind = 'unit' AND status = 'active';
