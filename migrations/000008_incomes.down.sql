DROP TABLE IF EXISTS household_incomes;
