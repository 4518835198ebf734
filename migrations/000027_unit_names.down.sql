DROP INDEX deputies_unit_name_idx;
