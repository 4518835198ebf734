DROP TABLE IF EXISTS household_exits;
