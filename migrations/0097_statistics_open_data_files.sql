-- A year's open data (every authority's figures as CSV and as JSON) is written as two files at each
-- refresh, in the statistics folder of the data directory, and a published year's download sends the
-- file as it is. The key names the files of the latest refresh: <year>-<key>.csv and .json. Null
-- until the year is refreshed with files (a download then builds the data from the table).
ALTER TABLE statistics_years ADD COLUMN open_data_key text CHECK (open_data_key ~ '^[0-9a-f]{32}$');
