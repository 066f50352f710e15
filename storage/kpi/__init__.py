"""KPIs in the database: the raw queries, the per-day rollups kept with every write and
read for whole-day periods, and the report queries."""
