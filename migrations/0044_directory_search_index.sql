-- The directory's word index is updated as rows change rather than through a pending list: a bulk
-- import otherwise leaves thousands of entries that every search scans one by one until a vacuum.
ALTER INDEX authorities_search_idx SET (fastupdate = off);
